import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import {
  applyLocalEngineDefaults,
  assertLocalImage,
  engineHost,
  freeLoopbackPort,
  OutputTail,
  useLocalImages,
} from './environment';

export interface KafkaOptions {
  /** Partitions of auto-created topics, default 1. */
  readonly numPartitions?: number;
  /** More broker properties, e.g. `{ 'log.retention.ms': '-1' }`. */
  readonly brokerProperties?: Readonly<Record<string, string>>;
  /** default 120 s */
  readonly startupTimeoutMs?: number;
}

export interface StartedKafka {
  /** bootstrap servers, `host:port` */
  readonly brokers: string[];
  readonly container: StartedTestContainer;
  /** Removes the container (idempotent). */
  stop(): Promise<void>;
}

const STARTED = /Kafka Server started/;

/** Settings both worlds share: a single node, small internal topics, no rebalance delay. */
const singleNode = (numPartitions: number): Record<string, string> => ({
  'num.partitions': String(numPartitions),
  'auto.create.topics.enable': 'true',
  'offsets.topic.replication.factor': '1',
  'offsets.topic.num.partitions': '1',
  'transaction.state.log.replication.factor': '1',
  'transaction.state.log.min.isr': '1',
  'transaction.state.log.num.partitions': '1',
  'group.initial.rebalance.delay.ms': '0',
});

/** `a.b.c` -> `KAFKA_A_B_C`: the official image's way of taking properties. */
const toEnv = (props: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(props).map(([k, v]) => [`KAFKA_${k.toUpperCase().replace(/[.-]/g, '_')}`, v]));

/**
 * Starts a single-node Apache Kafka 3.9 broker (KRaft) in a container: the local
 * `pos-ledger/kafka:3.9` image with host networking when `LEDGER_LOCAL_IMAGES=1`, the official
 * `apache/kafka:3.9.1` image with a mapped port otherwise.
 */
export const startKafka = async (opts: KafkaOptions = {}): Promise<StartedKafka> => {
  const output = new OutputTail('kafka');
  const props = { ...singleNode(opts.numPartitions ?? 1), ...(opts.brokerProperties ?? {}) };

  let container: StartedTestContainer;
  let broker: string;
  if (useLocalImages()) {
    applyLocalEngineDefaults();
    const image = process.env.LEDGER_KAFKA_IMAGE ?? 'pos-ledger/kafka:3.9';
    await assertLocalImage(image, 'kafka');
    const [port, controllerPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    // The image's start script writes server.properties for 127.0.0.1:KAFKA_PORT (controller
    // on KAFKA_CONTROLLER_PORT), formats the KRaft storage, then runs kafka.Kafka.
    const def = new GenericContainer(image)
      .withNetworkMode('host')
      .withEnvironment({
        KAFKA_HOST: '127.0.0.1',
        KAFKA_PORT: String(port),
        KAFKA_CONTROLLER_PORT: String(controllerPort),
        KAFKA_EXTRA_PROPERTIES: Object.entries(props)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n'),
      })
      .withWaitStrategy(Wait.forLogMessage(STARTED))
      .withStartupTimeout(opts.startupTimeoutMs ?? 120_000)
      .withLogConsumer(output.consumer);
    container = await def.start().catch((e: unknown) => Promise.reject(output.wrap(e)));
    broker = `127.0.0.1:${port}`;
  } else {
    // With a mapped port the advertised listener must name the host-side port, so pick it
    // first and bind it explicitly.
    const image = process.env.LEDGER_KAFKA_IMAGE ?? 'apache/kafka:3.9.1';
    const host = await engineHost();
    const hostPort = await freeLoopbackPort();
    const def = new GenericContainer(image)
      .withExposedPorts({ container: 9092, host: hostPort })
      .withEnvironment(
        toEnv({
          'node.id': '1',
          'process.roles': 'broker,controller',
          'controller.quorum.voters': '1@localhost:9093',
          listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093',
          'advertised.listeners': `PLAINTEXT://${host}:${hostPort}`,
          'controller.listener.names': 'CONTROLLER',
          'inter.broker.listener.name': 'PLAINTEXT',
          'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
          ...props,
        }),
      )
      .withWaitStrategy(Wait.forLogMessage(STARTED))
      .withStartupTimeout(opts.startupTimeoutMs ?? 120_000)
      .withLogConsumer(output.consumer);
    container = await def.start().catch((e: unknown) => Promise.reject(output.wrap(e)));
    broker = `${host}:${hostPort}`;
  }

  let stopped: Promise<void> | undefined;
  return {
    brokers: [broker],
    container,
    stop: () => (stopped ??= container.stop().then(() => undefined)),
  };
};
