import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { TEST_TOKEN_ENV, TEST_TOKENS } from '@pos/testing';
import { useLocalImages } from '@pos/testing/containers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDay } from './simulate-day';
import { getJson, TOPICS, waitFor } from './testing/cluster';

/**
 * The Docker deployment as a user runs it: `Dockerfile` built, `docker-compose.yml` started
 * (Kafka, PostgreSQL and the three app containers), a short simulated day, then `down` and `up`
 * again: the day's totals, settlements, topics and consumer offsets are all still there.
 *
 * Where no registry can be reached (LEDGER_LOCAL_IMAGES=1, as tools/test.sh sets it up) the
 * images come from tools/infra/build-compose-images.sh and the stack runs with
 * tools/infra/compose/host-network.yml on top (host networking, free ports); elsewhere the
 * compose file runs as it is, on the official images.
 */
const root = resolve(__dirname, '../../..');
const local = useLocalImages();
const project = `ledger-e2e-${process.pid}`;
const APPS = ['terminal-gateway', 'settlement', 'reconciliation'] as const;
type App = (typeof APPS)[number];
const DEFAULT_IMAGE = 'pos-ledger-e2e/ledger:default';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}
const run = (cmd: string, args: readonly string[], env: Record<string, string> = {}, timeoutMs = 900_000): Promise<Run> =>
  new Promise((done) => {
    execFile(cmd, args, { cwd: root, env: { ...process.env, ...env }, maxBuffer: 64 << 20, timeout: timeoutMs }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
const ok = async (cmd: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> => {
  const r = await run(cmd, args, env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.code}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r.stdout;
};
const docker = (...args: string[]) => ok('docker', args);
const inspect = async (what: string, format: string) => (await docker('inspect', '--format', format, what)).trim();

/** `docker compose` (v2) where the plugin is there, else `docker-compose` (v1, Debian's). */
const composeCli = async (): Promise<[string, ...string[]]> => ((await run('docker', ['compose', 'version'])).code === 0 ? ['docker', 'compose'] : ['docker-compose']);

class Stack {
  private constructor(
    private readonly cli: [string, ...string[]],
    private readonly files: readonly string[],
    readonly name: string,
    readonly env: Record<string, string>,
    readonly urls: Record<App, string>,
    /** Kafka's bootstrap address as seen from inside its own container. */
    readonly bootstrap: string,
  ) {}

  static async create(name: string, extraFiles: readonly string[] = []): Promise<Stack> {
    const cli = await composeCli();
    if (!local) {
      const urls = { 'terminal-gateway': 'http://127.0.0.1:3001', settlement: 'http://127.0.0.1:3002', reconciliation: 'http://127.0.0.1:3003' };
      return new Stack(cli, ['docker-compose.yml', ...extraFiles], name, { ...TEST_TOKEN_ENV }, urls, 'localhost:9092');
    }
    const [kafka, controller, postgres, ...apps] = await distinctFreePorts(6);
    const env = {
      ...TEST_TOKEN_ENV,
      LEDGER_COMPOSE_KAFKA_PORT: String(kafka),
      LEDGER_COMPOSE_KAFKA_CONTROLLER_PORT: String(controller),
      LEDGER_COMPOSE_POSTGRES_PORT: String(postgres),
      LEDGER_COMPOSE_GATEWAY_PORT: String(apps[0]),
      LEDGER_COMPOSE_SETTLEMENT_PORT: String(apps[1]),
      LEDGER_COMPOSE_RECONCILIATION_PORT: String(apps[2]),
    };
    const urls = Object.fromEntries(APPS.map((a, i) => [a, `http://127.0.0.1:${apps[i]}`])) as Record<App, string>;
    // Host networking publishes no ports, and compose v1 refuses `ports` beside it (an override
    // can add list items, never remove them): the stack runs from compose's own merge of the
    // files, without them.
    const [cmd, ...pre] = cli;
    const files = ['docker-compose.yml', 'tools/infra/compose/host-network.yml', ...extraFiles];
    const merged = await ok(cmd, [...pre, '-p', name, ...files.flatMap((f) => ['-f', f]), 'config'], env);
    const file = join(mkdtempSync(join(tmpdir(), `${name}-`)), 'docker-compose.yml');
    writeFileSync(file, withoutPorts(merged));
    return new Stack(cli, [file], name, env, urls, `127.0.0.1:${kafka}`);
  }

  /** The image compose builds for an app: named by host-network.yml, else compose's default name. */
  image(app: App): string {
    if (local) return `pos-ledger-compose/${app}`;
    return this.cli[0] === 'docker' ? `${this.name}-${app}` : `${this.name}_${app}`;
  }

  /** Anonymous volumes (images' VOLUMEs no compose volume covers) of containers a `down` without -v left behind. */
  private readonly leftVolumes = new Set<string>();

  /** `down`, keeping the volumes: what a user does to restart the stack. */
  async down(): Promise<void> {
    const ids = (await this.compose('ps', '-q')).split('\n').filter(Boolean);
    for (const id of ids)
      for (const m of JSON.parse(await inspect(id, '{{json .Mounts}}')) as Array<{ Type: string; Name?: string }>)
        if (m.Type === 'volume' && m.Name && /^[0-9a-f]{64}$/.test(m.Name)) this.leftVolumes.add(m.Name);
    await this.compose('down');
  }

  /** `down -v`: containers, network and volumes gone, and the merged file if there was one. */
  async remove(): Promise<void> {
    await this.compose('down', '-v', '--remove-orphans');
    if (this.leftVolumes.size) await run('docker', ['volume', 'rm', ...this.leftVolumes]);
    for (const f of this.files) if (f.startsWith(tmpdir())) rmSync(dirname(f), { recursive: true, force: true });
  }

  compose(...args: string[]): Promise<string> {
    const [cmd, ...pre] = this.cli;
    return ok(cmd, [...pre, '-p', this.name, ...this.files.flatMap((f) => ['-f', f]), ...args], this.env);
  }

  async container(service: string): Promise<string> {
    const id = (await this.compose('ps', '-q', service)).trim();
    if (!id) throw new Error(`${service} has no container`);
    return id;
  }

  async exec(service: string, ...cmd: string[]): Promise<Run> {
    return run('docker', ['exec', await this.container(service), ...cmd]);
  }

  /** Waits until Docker itself reports the service's container healthy (its own healthcheck), failing once it says unhealthy. */
  async healthy(service: string, ms = 120_000): Promise<void> {
    const id = await this.container(service);
    const status = await waitFor(async () => {
      const s = await inspect(id, '{{.State.Health.Status}}');
      return s === 'starting' ? undefined : s;
    }, ms, 500);
    if (status !== 'healthy') throw new Error(`${service} is ${status}: ${await inspect(id, '{{json .State.Health}}')}`);
  }

  /** The containers' last log lines, information level left out: printed when a test fails. */
  async logs(): Promise<string> {
    const text = await this.compose('logs', '--no-color', '--tail', '40').catch((e: Error) => e.message);
    return text.split('\n').filter((l) => !l.includes('"level":30') && !l.includes('] INFO ')).join('\n').slice(-12_000);
  }

  /** End offsets of the ledger's topics and the consumer groups' committed offsets, from Kafka's own tools. */
  async kafkaState(): Promise<{ ends: Record<string, number>; committed: Record<string, number> }> {
    const ends: Record<string, number> = {};
    const offsets = await this.exec('kafka', '/opt/kafka/bin/kafka-get-offsets.sh', '--bootstrap-server', this.bootstrap, '--topic-partitions', 'pos\\..*');
    if (offsets.code !== 0) throw new Error(`kafka-get-offsets: ${offsets.stderr}`);
    for (const line of offsets.stdout.trim().split('\n').filter(Boolean)) {
      const [topic, partition, offset] = line.split(':');
      ends[`${topic}:${partition}`] = Number(offset);
    }
    const committed: Record<string, number> = {};
    const groups = await this.exec('kafka', '/opt/kafka/bin/kafka-consumer-groups.sh', '--bootstrap-server', this.bootstrap, '--describe', '--all-groups');
    if (groups.code !== 0) throw new Error(`kafka-consumer-groups: ${groups.stderr}`);
    for (const line of groups.stdout.split('\n')) {
      const [group, topic, partition, current] = line.trim().split(/\s+/);
      // '-': a partition the group is assigned but has not committed on yet (nothing consumed).
      if (topic?.startsWith('pos.') && /^(\d+|-)$/.test(current ?? '')) committed[`${group} ${topic}:${partition}`] = current === '-' ? 0 : Number(current);
    }
    return { ends, committed };
  }
}

/** A compose file's text without its services' `ports` sections (block style, as `config` prints it). */
const withoutPorts = (yaml: string): string => {
  const out: string[] = [];
  let skipping: number | undefined;
  for (const line of yaml.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (skipping !== undefined && line.trim() !== '' && (indent > skipping || (indent === skipping && line.trimStart().startsWith('- ')))) continue;
    skipping = /^\s*ports:\s*$/.test(line) ? indent : undefined;
    if (skipping === undefined) out.push(line);
  }
  return out.join('\n');
};

/** `n` distinct TCP ports free on 127.0.0.1 right now: held open together, so no two are the same. */
const distinctFreePorts = async (n: number): Promise<number[]> => {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<Server>((ok, fail) => {
      const srv = createServer().once('error', fail);
      srv.listen(0, '127.0.0.1', () => ok(srv));
    })),
  );
  const ports = servers.map((srv) => (srv.address() as AddressInfo).port);
  await Promise.all(servers.map((srv) => new Promise((ok) => srv.close(ok))));
  return ports;
};

/** What must survive a restart: the day's totals and each terminal's settlements, read through the API. */
const readSide = async (urls: Record<App, string>, businessDay: string, terminalIds: readonly string[]) => {
  const totals = (await getJson(`${urls.reconciliation}/v1/reconciliation/daily-totals?businessDay=${businessDay}`)).rows.filter((r: { terminalId: string }) => terminalIds.includes(r.terminalId));
  const settlements = [];
  for (const t of terminalIds) settlements.push(...(await getJson(`${urls.settlement}/v1/settlement/settlements?terminalId=${t}&businessDay=${businessDay}`)).settlements);
  return { totals, settlements };
};

const ready = (url: string) => waitFor(async () => ((await fetch(`${url}/health/ready`)).ok ? true : undefined), 120_000, 250);

describe('the Docker deployment, built and run', () => {
  let stack: Stack;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    stack = await Stack.create(project);
    cleanups.push(() => stack.remove());
    const t = Date.now();
    await stack.compose('build');
    // The image as the Dockerfile's own example builds it: no APP, so the embedded ledger.
    await docker('build', ...(local ? ['--network', 'host'] : []), '-t', DEFAULT_IMAGE, '.');
    console.log(`docker deployment: images built in ${Math.round((Date.now() - t) / 1000)} s`);
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch((e: Error) => console.error(e.message));
  });

  it('builds every app on one shared layer stack: the runtime dependencies are installed once', async () => {
    const images = [DEFAULT_IMAGE, ...APPS.map((a) => stack.image(a))];
    const layers = await Promise.all(images.map((i) => inspect(i, '{{json .RootFS.Layers}}')));
    expect(new Set(layers).size).toBe(1);
    // ... and each still runs its own app.
    const apps = await Promise.all(images.map((i) => inspect(i, '{{json .Config.Env}}')));
    expect(apps.map((env) => (JSON.parse(env) as string[]).find((e) => e.startsWith('APP=')))).toEqual(['APP=ledger', ...APPS.map((a) => `APP=${a}`)]);
  });

  it("PostgreSQL is not reported healthy while the image's temporary init server runs", async () => {
    // The official image initialises a new database with a server on the Unix socket only, then
    // restarts it on TCP: an init script that waits on a pipe holds it in that phase.
    const dir = mkdtempSync(join(tmpdir(), 'ledger-pginit-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'hold.sh'), 'mkfifo /tmp/init-gate && read -r _ < /tmp/init-gate\n');
    writeFileSync(join(dir, 'hold.yml'), `services:\n  postgres:\n    volumes: ["${dir}/hold.sh:/docker-entrypoint-initdb.d/hold.sh:ro"]\n`);
    const pg = await Stack.create(`${project}-pginit`, [join(dir, 'hold.yml')]);
    cleanups.push(() => pg.remove());
    await pg.compose('up', '-d', 'postgres');
    await waitFor(async () => ((await pg.exec('postgres', 'test', '-p', '/tmp/init-gate')).code === 0 ? true : undefined));
    const healthcheck = JSON.parse(await inspect(await pg.container('postgres'), '{{json .Config.Healthcheck.Test}}')) as string[];
    expect(healthcheck[0]).toBe('CMD-SHELL');
    const check = () => pg.exec('postgres', 'sh', '-c', healthcheck[1]);
    expect((await check()).code).not.toBe(0); // the init server answers on the socket: not ready for the apps
    await pg.exec('postgres', 'sh', '-c', 'echo go > /tmp/init-gate');
    await waitFor(async () => ((await check()).code === 0 ? true : undefined), 60_000, 250);
    await pg.healthy('postgres');
  });

  it('runs a simulated day through the three app containers and keeps all of it across down and up', async () => {
    await stack.compose('up', '-d');
    try {
      await Promise.all(APPS.map((a) => ready(stack.urls[a])));
      const day = await runDay({ adminToken: TEST_TOKENS.operations, url: stack.urls['terminal-gateway'], settlementUrl: stack.urls.settlement, reconciliationUrl: stack.urls.reconciliation, terminals: 4, transactions: 12, seed: 1010, unbalancedEvery: 4, log: () => undefined });
      expect(day.errors).toEqual([]);
      expect(day.mismatches).toEqual([]);
      expect(day.ok).toBe(true);
      // Docker's own view: each app's image healthcheck passes on the PORT the app listens on.
      for (const a of APPS) await stack.healthy(a);

      const terminalIds = [...new Set(day.expected.map((r) => r.terminalId))];
      const before = await readSide(stack.urls, day.businessDay, terminalIds);
      expect(before.totals.length).toBeGreaterThan(0);
      expect(before.settlements.length).toBe(terminalIds.length);
      // Every consumer caught up (committed offsets at the end of each partition) before the restart.
      const kafkaBefore = await waitFor(async () => {
        const s = await stack.kafkaState();
        const caughtUp = Object.entries(s.committed).every(([k, v]) => v === s.ends[k.split(' ')[1]]);
        return caughtUp && Object.keys(s.committed).length > 0 ? s : undefined;
      }, 60_000, 500);
      for (const topic of TOPICS) expect(Object.entries(kafkaBefore.ends).filter(([k]) => k.startsWith(`${topic}:`)).reduce((n, [, v]) => n + v, 0)).toBeGreaterThan(0);

      await stack.down();
      await stack.compose('up', '-d');
      await Promise.all(APPS.map((a) => ready(stack.urls[a])));

      // The log is the history: every topic, every message and every group's position survived.
      // (awaited: the groups may still be rebalancing as the apps rejoin)
      const kafkaAfter = await waitFor(async () => {
        const s = await stack.kafkaState();
        return isDeepStrictEqual(s, kafkaBefore) ? s : undefined;
      }, 30_000, 500).catch(() => stack.kafkaState());
      expect(kafkaAfter).toEqual(kafkaBefore);
      expect(await readSide(stack.urls, day.businessDay, terminalIds)).toEqual(before);

      // A new day's traffic after the restart flows through, and nothing of the first is applied again.
      const next = await runDay({ adminToken: TEST_TOKENS.operations, url: stack.urls['terminal-gateway'], settlementUrl: stack.urls.settlement, reconciliationUrl: stack.urls.reconciliation, terminals: 2, transactions: 8, seed: 2020, unbalancedEvery: 0, log: () => undefined });
      expect(next.errors).toEqual([]);
      expect(next.ok).toBe(true);
      expect(await readSide(stack.urls, day.businessDay, terminalIds)).toEqual(before);
      const after = await stack.kafkaState();
      for (const [partition, end] of Object.entries(kafkaBefore.ends)) expect(after.ends[partition]).toBeGreaterThanOrEqual(end);
      expect(Object.values(after.ends).reduce((a, b) => a + b, 0)).toBeGreaterThan(Object.values(kafkaBefore.ends).reduce((a, b) => a + b, 0));
      expect(Object.entries(after.ends).filter(([k]) => k.includes('.dlq:')).every(([, v]) => v === 0)).toBe(true);
    } catch (e) {
      console.error(await stack.logs());
      throw e;
    }
  });

  it('the default image (APP=ledger, embedded) starts, answers health and keeps its data on its volume', async () => {
    const [port] = local ? await distinctFreePorts(1) : [3000];
    const name = `${project}-ledger`;
    const volume = `${project}-ledger-data`;
    const start = () =>
      docker('run', '-d', '--name', name, '-v', `${volume}:/app/data`, ...Object.entries(TEST_TOKEN_ENV).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
        ...(local ? ['--network', 'host', '-e', 'HOST=127.0.0.1', '-e', `PORT=${port}`, '-e', 'LEDGER_ISO8583_PORT=0'] : ['-p', `127.0.0.1:${port}:3000`]), DEFAULT_IMAGE);
    cleanups.push(() => run('docker', ['volume', 'rm', '-f', volume]), () => run('docker', ['rm', '-f', name]));
    const url = `http://127.0.0.1:${port}`;
    await start();
    await ready(url).catch(async () => {
      throw new Error(`the ledger image did not become ready:\n${(await run('docker', ['logs', '--tail', '30', name])).stderr}`);
    });
    const day = await runDay({ adminToken: TEST_TOKENS.operations, url, terminals: 1, transactions: 5, seed: 3030, unbalancedEvery: 0, log: () => undefined });
    expect(day.ok).toBe(true);
    await waitFor(async () => ((await inspect(name, '{{.State.Health.Status}}')) === 'healthy' ? true : undefined), 90_000, 500);
    expect((await docker('exec', name, 'ls', '/app/data')).split('\n')).toContain('log.db');

    const terminalId = day.expected[0]!.terminalId;
    const totals = async () => (await getJson(`${url}/v1/reconciliation/daily-totals?businessDay=${day.businessDay}`)).rows.filter((r: { terminalId: string }) => r.terminalId === terminalId);
    const before = await totals();
    await docker('rm', '-f', name);
    await start();
    await ready(url);
    expect(await totals()).toEqual(before);
  });
});
