import pg from 'pg';
import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer, Wait } from 'testcontainers';
import {
  applyLocalEngineDefaults,
  assertLocalImage,
  engineHost,
  freeLoopbackPort,
  OutputTail,
  useLocalImages,
} from './environment';

export interface PostgresOptions {
  /** default `ledger` */
  readonly database?: string;
  /** default `ledger` (a superuser) */
  readonly user?: string;
  /** default `ledger` */
  readonly password?: string;
  /**
   * Keep PostgreSQL's crash-safety settings. By default a test server runs with
   * `fsync=off`, `synchronous_commit=off`, `full_page_writes=off`: faster, and still safe
   * against a killed client or server process, only not against a lost machine.
   */
  readonly durable?: boolean;
  /** More `postgres` server arguments, e.g. `['-c', 'max_connections=200']`. */
  readonly serverArgs?: readonly string[];
  /** default 120 s */
  readonly startupTimeoutMs?: number;
}

export interface StartedPostgres {
  /** `postgresql://user:password@host:port/database` */
  readonly connectionString: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly container: StartedTestContainer;
  /** Kills the server with SIGKILL (a crash: no shutdown checkpoint), starts it again and waits until it answers. */
  crashAndRestart(): Promise<void>;
  /** Removes the container (idempotent). */
  stop(): Promise<void>;
}

const READY = /database system is ready to accept connections/;

/**
 * Starts a PostgreSQL 15 server in a container: the local `pos-ledger/postgres:15` image with
 * host networking when `LEDGER_LOCAL_IMAGES=1`, the official `postgres:15` image otherwise.
 */
export const startPostgres = async (opts: PostgresOptions = {}): Promise<StartedPostgres> => {
  const database = opts.database ?? 'ledger';
  const user = opts.user ?? 'ledger';
  const password = opts.password ?? 'ledger';
  const args = [
    ...(opts.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ...(opts.serverArgs ?? []),
  ];
  const env = { POSTGRES_DB: database, POSTGRES_USER: user, POSTGRES_PASSWORD: password };
  const output = new OutputTail('postgres');

  let container: StartedTestContainer;
  let host: string;
  let port: number;
  if (useLocalImages()) {
    applyLocalEngineDefaults();
    const image = process.env.LEDGER_POSTGRES_IMAGE ?? 'pos-ledger/postgres:15';
    await assertLocalImage(image, 'postgres');
    host = '127.0.0.1';
    port = await freeLoopbackPort();
    // The image's start script runs initdb (role and database from POSTGRES_*), then
    // `postgres -p PGPORT -c listen_addresses=127.0.0.1 ARGS`, as the postgres user.
    const def = new GenericContainer(image)
      .withNetworkMode('host')
      .withUser('postgres')
      .withEnvironment({ ...env, PGPORT: String(port), PGLISTEN: host })
      .withCommand(['/usr/local/bin/start-postgres', ...args])
      .withWaitStrategy(Wait.forLogMessage(READY))
      .withStartupTimeout(opts.startupTimeoutMs ?? 120_000)
      .withLogConsumer(output.consumer);
    container = await def.start().catch((e: unknown) => Promise.reject(output.wrap(e)));
  } else {
    const image = process.env.LEDGER_POSTGRES_IMAGE ?? 'postgres:15';
    // The official entrypoint runs a temporary server for its init scripts first, so the
    // ready line shows up twice.
    // A fixed host port, so a restarted container answers where the services expect it.
    const hostPort = await freeLoopbackPort();
    const def = new GenericContainer(image)
      .withEnvironment(env)
      .withExposedPorts({ container: 5432, host: hostPort })
      .withCommand(['postgres', ...args])
      .withWaitStrategy(Wait.forAll([Wait.forLogMessage(READY, 2), Wait.forListeningPorts()]))
      .withStartupTimeout(opts.startupTimeoutMs ?? 120_000)
      .withLogConsumer(output.consumer);
    container = await def.start().catch((e: unknown) => Promise.reject(output.wrap(e)));
    host = await engineHost();
    port = container.getMappedPort(5432);
  }

  let stopped: Promise<void> | undefined;
  const connectionString = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
  return {
    connectionString,
    crashAndRestart: async () => {
      const client = await getContainerRuntimeClient();
      await client.container.getById(container.getId()).kill({ signal: 'SIGKILL' });
      await container.restart();
      // Crash recovery replays the WAL first: wait until a session is possible.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const c = new pg.Client({ connectionString });
        try {
          await c.connect();
          await c.query('SELECT 1');
          await c.end();
          return;
        } catch (e) {
          await c.end().catch(() => undefined);
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
    host,
    port,
    database,
    user,
    password,
    container,
    stop: () => (stopped ??= container.stop().then(() => undefined)),
  };
};
