import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Runs a program to its end (or kills it at `timeoutMs`), collecting its output. */
export const run = (command: string, args: readonly string[], o: { timeoutMs: number; env?: Record<string, string>; cwd?: string }): Promise<Finished> =>
  new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(command, args, { env: { ...process.env, ...o.env }, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    });
  });

/**
 * The Python virtual environment with the API's independent checkers (openapi-spec-validator,
 * schemathesis), under .cache/ (ignored by git). Built from tools/api-check/requirements.txt on
 * first use, reused after, rebuilt when the requirements change; needs python3 and PyPI once.
 */
export const pythonEnv = async (root: string): Promise<{ bin: (name: string) => string }> => {
  const requirements = join(root, 'tools', 'api-check', 'requirements.txt');
  const dir = join(root, '.cache', 'api-check-venv');
  const stamp = join(dir, 'requirements.sha256');
  const digest = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const bin = (name: string) => join(dir, 'bin', name);
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== digest) {
    rmSync(dir, { recursive: true, force: true });
    const steps: [string, string[]][] = [
      ['python3', ['-m', 'venv', dir]],
      [bin('pip'), ['install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', requirements]],
    ];
    for (const [command, args] of steps) {
      const r = await run(command, args, { timeoutMs: 600_000 });
      if (r.code !== 0)
        throw new Error(`${command} ${args.join(' ')} failed (${r.code}; needs python3 with venv, e.g. Debian's python3-venv, and PyPI): ${r.stderr || r.stdout}`);
    }
    writeFileSync(stamp, digest);
  }
  return { bin };
};
