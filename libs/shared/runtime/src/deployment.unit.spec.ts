import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, deploymentFromEnv } from './deployment';
import { developmentTokenPolicy, opsPeersOf } from './start';

describe('configuration picks the deployment', () => {
  it('is the embedded default when neither Kafka nor PostgreSQL is configured', () => {
    expect(deploymentFromEnv({}, '/data', 4)).toEqual({ kind: 'embedded', dataDir: '/data', partitions: 4 });
    expect(deploymentFromEnv({ KAFKA_BROKERS: '', DATABASE_URL: '' }, '/data', 4).kind).toBe('embedded');
  });

  it('is the microservice deployment when both are set, with layout from configuration', () => {
    const d = deploymentFromEnv({ KAFKA_BROKERS: 'k1:9092, k2:9092', DATABASE_URL: 'postgres://x/y', KAFKA_PARTITIONS: '12', KAFKA_REPLICATION_FACTOR: '3' }, '/data', 4);
    expect(d).toMatchObject({ kind: 'distributed', brokers: ['k1:9092', 'k2:9092'], partitions: 12, replicationFactor: 3, databaseUrl: 'postgres://x/y' });
    expect(d.kind === 'distributed' && d.kafkaSsl).toBeFalsy();
  });

  it('refuses half a configuration rather than guessing', () => {
    expect(() => deploymentFromEnv({ KAFKA_BROKERS: 'k:9092' }, '/d', 4)).toThrow(ConfigurationError);
    expect(() => deploymentFromEnv({ DATABASE_URL: 'postgres://x/y' }, '/d', 4)).toThrow(/both KAFKA_BROKERS and DATABASE_URL/);
    expect(() => deploymentFromEnv({ KAFKA_BROKERS: 'k:9092', DATABASE_URL: 'p', KAFKA_PARTITIONS: '0' }, '/d', 4)).toThrow(/KAFKA_PARTITIONS/);
  });

  it('turns on Kafka TLS with a CA, SASL/SCRAM, and PostgreSQL TLS by configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-'));
    writeFileSync(join(dir, 'ca.pem'), 'PEM');
    const d = deploymentFromEnv(
      {
        KAFKA_BROKERS: 'k:9093', DATABASE_URL: 'postgres://x/y', KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'ca.pem'),
        KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'ledger', KAFKA_SASL_PASSWORD: 'secret', DATABASE_SSL: 'true',
      },
      '/d', 4,
    );
    expect(d).toMatchObject({
      kafkaSsl: { ca: ['PEM'], rejectUnauthorized: true },
      kafkaSasl: { mechanism: 'scram-sha-512', username: 'ledger', password: 'secret' },
      databaseSsl: true,
    });
    expect(() => deploymentFromEnv({ KAFKA_BROKERS: 'k', DATABASE_URL: 'p', KAFKA_SASL_MECHANISM: 'plain' }, '/d', 4)).toThrow(/USERNAME and KAFKA_SASL_PASSWORD/);
    expect(() => deploymentFromEnv({ KAFKA_BROKERS: 'k', DATABASE_URL: 'p', KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, '/d', 4)).toThrow(/plain, scram-sha-256 or scram-sha-512/);
    expect(() => deploymentFromEnv({ KAFKA_BROKERS: 'k', DATABASE_URL: 'p', DATABASE_SSL: 'yes' }, '/d', 4)).toThrow(/DATABASE_SSL/);
  });
});

describe('the development token', () => {
  it('is accepted by the embedded default listening on loopback only', () => {
    const embedded = deploymentFromEnv({}, '/d', 4);
    const distributed = deploymentFromEnv({ KAFKA_BROKERS: 'k:9092', DATABASE_URL: 'postgres://x/y' }, '/d', 4);
    expect(developmentTokenPolicy(embedded, '127.0.0.1')).toEqual({ accepted: true, reason: 'the embedded default on 127.0.0.1' });
    expect(developmentTokenPolicy(embedded, '0.0.0.0')).toEqual({ accepted: false, reason: 'listening on 0.0.0.0, not loopback' });
    expect(developmentTokenPolicy(distributed, '127.0.0.1')).toEqual({ accepted: false, reason: 'the microservice deployment (Kafka + PostgreSQL)' });
  });
});

describe("the peers whose /v1/ops answers a process merges", () => {
  const reconciliation = { services: ['reconciliation'] as const, mergesPeers: true };
  it('are the gateway and settlement the variables name, for the app that merges; none for the others', () => {
    const env = { LEDGER_GATEWAY_URL: 'http://gateway:3000/', LEDGER_SETTLEMENT_URL: 'https://settlement.internal' };
    expect(opsPeersOf(reconciliation, env)).toEqual([{ name: 'terminal-gateway', url: 'http://gateway:3000' }, { name: 'settlement', url: 'https://settlement.internal' }]);
    expect(opsPeersOf(reconciliation, { LEDGER_SETTLEMENT_URL: 'http://s:1' })).toEqual([{ name: 'settlement', url: 'http://s:1' }]);
    expect(opsPeersOf({ services: ['settlement'] }, env)).toEqual([]);
    // The embedded ledger holds every service itself.
    expect(opsPeersOf({ services: ['terminal-gateway', 'settlement', 'reconciliation'], mergesPeers: true }, env)).toEqual([]);
  });
  it('refuse a variable that is not an http(s) URL', () => {
    expect(() => opsPeersOf(reconciliation, { LEDGER_GATEWAY_URL: 'gateway:3000' })).toThrow(/LEDGER_GATEWAY_URL must be an http\(s\) URL/);
    expect(() => opsPeersOf(reconciliation, { LEDGER_SETTLEMENT_URL: 'ftp://s' })).toThrow(ConfigurationError);
  });
});
