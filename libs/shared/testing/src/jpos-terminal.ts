import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fromHex, type IsoMessage, type IsoValue, toHex } from '@pos/iso8583';
import { workspaceRoot } from './spawn-ledger';

/**
 * A real ISO 8583 terminal for tests: jPOS (NACChannel, ISO87BPackager, TPDU header) run as its own
 * Java process (tools/iso8583-client; jPOS is AGPL, so it is never linked into the project), driven
 * one JSON step per line. See tools/iso8583-client/README.md for the step and answer format.
 */

const CLIENT_DIR = 'tools/iso8583-client';

/** A Java 22+ runtime: JPOS_JAVA, else the newest Temurin 22+ under /usr/lib/jvm, else `java` on the PATH. */
export const jposJava = (): string => {
  if (process.env.JPOS_JAVA) return process.env.JPOS_JAVA;
  const jvm = '/usr/lib/jvm';
  const found = existsSync(jvm)
    ? readdirSync(jvm)
        .map((name) => ({ name, major: Number(/^temurin-(\d+)/.exec(name)?.[1] ?? 0) }))
        .filter((j) => j.major >= 22 && existsSync(join(jvm, j.name, 'bin', 'java')))
        .sort((a, b) => b.major - a.major)[0]
    : undefined;
  return found ? join(jvm, found.name, 'bin', 'java') : 'java';
};

const run = (command: string, args: readonly string[], what: string): void => {
  const r = spawnSync(command, args, { cwd: workspaceRoot(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${what} failed (${r.error?.message ?? `exit ${r.status}`}):\n${(r.stdout + r.stderr).slice(-4000)}`);
};

/**
 * The client's jars (resolved by Maven from tools/iso8583-client/pom.xml) and its compiled class,
 * under .cache/iso8583-client/<hash of pom and source>: built once, then reused. Built in a
 * private directory and renamed into place, so concurrent test processes never see half a cache.
 */
export const jposClientClasspath = (): string => {
  const root = workspaceRoot();
  const src = join(root, CLIENT_DIR);
  const hash = createHash('sha256').update(readFileSync(join(src, 'pom.xml'))).update(readFileSync(join(src, 'IsoClient.java'))).digest('hex').slice(0, 12);
  const dir = join(root, '.cache', 'iso8583-client', hash);
  if (!existsSync(dir)) {
    const building = `${dir}.${process.pid}.tmp`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(building, { recursive: true });
    run('mvn', ['-q', '-B', '-f', join(src, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${join(building, 'lib')}`], 'mvn dependency:copy-dependencies for the jPOS client');
    const javac = join(jposJava(), '..', 'javac');
    run(existsSync(javac) ? javac : 'javac', ['-nowarn', '-cp', join(building, 'lib', '*'), '-d', join(building, 'classes'), join(src, 'IsoClient.java')], `compiling the jPOS client with ${javac} (jPOS 3 needs Java 22 or later: set JPOS_JAVA to its java)`);
    try {
      renameSync(building, dir);
    } catch (e) {
      // Another process put the same cache in place first: use theirs.
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(dir)) throw e;
    }
  }
  return `${join(dir, 'classes')}:${join(dir, 'lib', '*')}`;
};

/** Field values as the codec holds them: a string, or the bytes of a binary field. */
export type JposFields = Readonly<Record<number, IsoValue>>;

export interface JposStepOptions {
  /** The MAC key (32 hex digits): the request gets an X9.19 MAC in field 64 (128 with a secondary bitmap) and the answer's is checked (`macValid`). */
  readonly mac?: string;
  /** How long to wait for the answer (default: the terminal's). */
  readonly timeoutMs?: number;
  /** Success is no answer within the timeout. */
  readonly expectNoAnswer?: boolean;
  /** Success is the server closing the connection within the timeout. */
  readonly expectClose?: boolean;
  /** Write and return at once (a slow sender's first half, say). */
  readonly noWait?: boolean;
  /** This message's TPDU (10 hex digits) instead of the channel's. */
  readonly tpdu?: string;
  /** Echoed back in the answer line. */
  readonly id?: string;
}

/** One answer line of the client (tools/iso8583-client/README.md). */
export interface JposAnswer {
  readonly op: string;
  readonly ok: boolean;
  readonly id?: string;
  /** timeout, closed, unexpected-answer, unpack, send-failed, not-connected, connect-failed, bad-step. */
  readonly error?: string;
  readonly message?: string;
  readonly mti?: string;
  /** As jPOS unpacked them; a binary field is "b:" and lower-case hex. */
  readonly fields?: Readonly<Record<string, string>>;
  /** The answer's TPDU, message bytes (what a MAC covers) and whole frame, lower-case hex. */
  readonly tpdu?: string | null;
  readonly raw?: string | null;
  readonly frame?: string;
  /** What was written: the packed message for `send`, the bytes as given for `raw`. */
  readonly sent?: string;
  readonly elapsedMs?: number;
  readonly macValid?: boolean | null;
  readonly noAnswer?: true;
  readonly closed?: true;
  /** Messages that did not answer this step (late answers, another STAN). */
  readonly unmatched?: readonly JposAnswer[];
  /** The answer as the codec holds a message (set when `mti` is). */
  readonly iso?: IsoMessage;
}

const asIso = (mti: string, fields: Readonly<Record<string, string>>): IsoMessage => ({
  mti,
  fields: new Map<number, IsoValue>(Object.entries(fields).map(([n, v]) => [Number(n), v.startsWith('b:') ? fromHex(v.slice(2)) : v])),
});

export interface JposTerminalOptions {
  readonly port: number;
  readonly host?: string;
  /** The channel's TPDU, 10 hex digits (default 6000010000). */
  readonly tpdu?: string;
  /** Default wait for an answer, ms (default 10000). */
  readonly timeoutMs?: number;
}

/** A jPOS terminal process: one connection (reconnectable), one answer per step, in order. */
export class JposTerminal {
  private readonly pending: { ok: (a: JposAnswer) => void; fail: (e: Error) => void }[] = [];
  private stderr = '';
  private exited?: Error;

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const answer = JSON.parse(line) as JposAnswer;
      this.pending.shift()?.ok(answer.mti ? { ...answer, iso: asIso(answer.mti, answer.fields ?? {}) } : answer);
    });
    child.stderr!.on('data', (d) => (this.stderr = (this.stderr + d).slice(-8000)));
    child.on('exit', (code, signal) => {
      this.exited = new Error(`the jPOS client exited (${signal ?? code}):\n${this.stderr}`);
      for (const p of this.pending.splice(0)) p.fail(this.exited);
    });
  }

  /** Starts the client (resolving its jars first if needed) and connects; fails if it cannot connect. */
  static async start(options: JposTerminalOptions): Promise<JposTerminal> {
    const args = ['--host', options.host ?? '127.0.0.1', '--port', String(options.port), '--tpdu', options.tpdu ?? '6000010000', '--timeout', String(options.timeoutMs ?? 10_000)];
    const child = spawn(jposJava(), ['-cp', jposClientClasspath(), 'IsoClient', ...args], { cwd: workspaceRoot(), stdio: ['pipe', 'pipe', 'pipe'] });
    const terminal = new JposTerminal(child);
    const connected = await terminal.next();
    if (!connected.ok) {
      await terminal.close();
      throw new Error(`the jPOS client could not connect: ${connected.message}`);
    }
    return terminal;
  }

  private next(): Promise<JposAnswer> {
    return new Promise((ok, fail) => (this.exited ? fail(this.exited) : this.pending.push({ ok, fail })));
  }

  /** Sends one step as the client reads it (the README's format) and resolves with its answer line. */
  step(step: Readonly<Record<string, unknown>>): Promise<JposAnswer> {
    const answer = this.next();
    this.child.stdin!.write(`${JSON.stringify(step)}\n`);
    return answer;
  }

  /** Packs and sends a message with jPOS; resolves with the answer (matched by STAN), or with why there is none. */
  send(mti: string, fields: JposFields, options: JposStepOptions = {}): Promise<JposAnswer> {
    const wire = Object.fromEntries(Object.entries(fields).map(([n, v]) => [n, typeof v === 'string' ? v : `b:${toHex(v)}`]));
    return this.step({ op: 'send', mti, fields: wire, ...options });
  }

  /** Writes bytes as they are (length prefix and TPDU included, if any) and awaits what the options say. */
  raw(bytes: Uint8Array, options: JposStepOptions = {}): Promise<JposAnswer> {
    return this.step({ op: 'raw', hex: toHex(bytes), ...options });
  }

  disconnect(): Promise<JposAnswer> {
    return this.step({ op: 'disconnect' });
  }

  /** Closes the current connection, if any, and opens a new one. */
  reconnect(): Promise<JposAnswer> {
    return this.step({ op: 'reconnect' });
  }

  /** Ends the process (its connection closes with it). */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((done) => this.child.once('exit', () => done()));
    this.child.stdin!.end();
    // A step still waiting for its answer would hold the process until its timeout.
    if (this.pending.length > 0) this.child.kill('SIGTERM');
    await gone;
  }
}
