import { createServer } from 'node:net';
import type { Readable } from 'node:stream';
import { getContainerRuntimeClient, ImageName } from 'testcontainers';

/**
 * Which world the integration tests run in, chosen by environment, never by editing code:
 *
 * - `LEDGER_LOCAL_IMAGES=1` (the CI machine and our VMs): no registry can be reached and the
 *   engine has no bridge network. Images are built locally by `tools/infra/build-images.sh`
 *   (`pos-ledger/postgres:15`, `pos-ledger/kafka:3.9`), containers use host networking and
 *   bind 127.0.0.1 on free ports picked here. The engine is found with
 *   `TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1` and `TESTCONTAINERS_RYUK_DISABLED=true` (Ryuk's
 *   image cannot be pulled): both are defaulted here when unset.
 * - otherwise (a laptop with Docker): the official images are pulled and ports mapped.
 *
 * Image names can be overridden with `LEDGER_POSTGRES_IMAGE` / `LEDGER_KAFKA_IMAGE`.
 * `LEDGER_CONTAINER_LOGS=1` streams the containers' output to stderr.
 */
export const useLocalImages = (): boolean => process.env.LEDGER_LOCAL_IMAGES === '1';

/** Testcontainers settings the local-image world needs; call before the first container. */
export const applyLocalEngineDefaults = (): void => {
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
};

/** A TCP port free on 127.0.0.1 right now (the container binds it a moment later). */
export const freeLoopbackPort = (): Promise<number> =>
  new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });

/** Fails fast, with the fix, when a local image was not built (a pull could never work). */
export const assertLocalImage = async (image: string, service: string): Promise<void> => {
  const client = await getContainerRuntimeClient();
  if (!(await client.image.exists(ImageName.fromString(image)))) {
    throw new Error(
      `${service}: image ${image} is missing. With LEDGER_LOCAL_IMAGES=1 the images are built ` +
        `locally: run "tools/infra/docker-engine.sh && tools/infra/build-images.sh" (as root).`,
    );
  }
};

/** The address at which mapped ports of the engine's containers are reached (laptop world). */
export const engineHost = async (): Promise<string> => (await getContainerRuntimeClient()).info.containerRuntime.host;

/** Keeps the tail of a container's output for error messages; streams it when asked. */
export class OutputTail {
  private text = '';
  constructor(
    private readonly name: string,
    private readonly max = 20_000,
  ) {}

  readonly consumer = (stream: Readable): void => {
    stream.on('data', (chunk: Buffer | string) => {
      const s = chunk.toString();
      if (process.env.LEDGER_CONTAINER_LOGS === '1') process.stderr.write(`[${this.name}] ${s}`);
      this.text = (this.text + s).slice(-this.max);
    });
  };

  tail(lines = 40): string {
    return this.text.split('\n').slice(-lines).join('\n');
  }

  /** Wraps a start failure with the container's last lines of output. */
  wrap(err: unknown): Error {
    const msg = err instanceof Error ? err.message : String(err);
    return new Error(`${this.name} did not start: ${msg}\n--- last output ---\n${this.tail()}`, { cause: err });
  }
}
