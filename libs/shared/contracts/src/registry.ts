import { z } from 'zod';
import type { AccessEvent } from './access/access.events';
import { accessSchemas } from './access/access.schemas';
import { reconciliationSchemas } from './reconciliation/reconciliation.schemas';
import type { ReconciliationEvent } from './reconciliation/reconciliation.events';
import { settlementSchemas } from './settlement/settlement.schemas';
import { terminalSchemas } from './terminal/terminal.schemas';
import type { TerminalEvent } from './terminal/terminal.events';
import type { SettlementEvent } from './settlement/settlement.events';

/**
 * The registry of every published event type: its current schema version,
 * its schema, and upcasters from older versions. A type is never renamed;
 * a new shape gets a new version and an upcaster from the one before.
 */
export type LedgerEvent = TerminalEvent | SettlementEvent | ReconciliationEvent | AccessEvent;
export type LedgerEventType = LedgerEvent['type'];

type Upcaster = (older: unknown) => unknown;

interface Contract {
  readonly schemaVersion: number;
  readonly schema: z.ZodType;
  /** upcasters[n] turns a version-n payload into version n+1. */
  readonly upcasters: Readonly<Record<number, Upcaster>>;
  readonly topic: string;
}

export const TOPICS = {
  terminal: 'pos.terminal.events.v1',
  settlement: 'pos.settlement.events.v1',
  reconciliation: 'pos.reconciliation.events.v1',
  /** Back-office tokens issued, used for writes, revoked: for whoever audits access (no service consumes it). */
  access: 'pos.access.events.v1',
} as const;

const v1 = <T extends string>(schemas: Record<T, z.ZodType>, topic: string): Record<T, Contract> =>
  Object.fromEntries(Object.entries(schemas).map(([t, schema]) => [t, { schemaVersion: 1, schema, upcasters: {}, topic }])) as Record<T, Contract>;

const contracts: Record<LedgerEventType, Contract> = {
  ...v1<TerminalEvent['type']>(terminalSchemas, TOPICS.terminal),
  ...v1<SettlementEvent['type']>(settlementSchemas, TOPICS.settlement),
  ...v1<ReconciliationEvent['type']>(reconciliationSchemas, TOPICS.reconciliation),
  ...v1<AccessEvent['type']>(accessSchemas, TOPICS.access),
};

export class ContractError extends Error {
  constructor(
    readonly code: 'EVENT_TYPE_UNKNOWN' | 'EVENT_PAYLOAD_INVALID' | 'EVENT_SCHEMA_VERSION_UNKNOWN',
    message: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

export const isKnownEventType = (type: string): type is LedgerEventType => Object.prototype.hasOwnProperty.call(contracts, type);

const contractOf = (type: string): Contract => {
  if (!isKnownEventType(type)) throw new ContractError('EVENT_TYPE_UNKNOWN', `unknown event type ${JSON.stringify(type)}`);
  return contracts[type];
};

const describe = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

/** Domain data -> JSON-safe wire payload, validated. */
export const encodeEvent = (type: string, data: unknown): { schemaVersion: number; payload: unknown } => {
  const c = contractOf(type);
  const result = z.safeEncode(c.schema, data as never);
  if (!result.success) throw new ContractError('EVENT_PAYLOAD_INVALID', `${type}: ${describe(result.error)}`);
  return { schemaVersion: c.schemaVersion, payload: result.data };
};

/** Wire payload of any known version -> current domain data, validated. */
export const decodeEvent = (type: string, schemaVersion: number, payload: unknown): unknown => {
  const c = contractOf(type);
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > c.schemaVersion)
    throw new ContractError('EVENT_SCHEMA_VERSION_UNKNOWN', `${type} v${schemaVersion} is not known (current v${c.schemaVersion})`);
  let current = payload;
  for (let v = schemaVersion; v < c.schemaVersion; v++) {
    const up = c.upcasters[v];
    if (!up) throw new ContractError('EVENT_SCHEMA_VERSION_UNKNOWN', `${type}: no upcaster from v${v}`);
    current = up(current);
  }
  const result = z.safeDecode(c.schema, current as never);
  if (!result.success) throw new ContractError('EVENT_PAYLOAD_INVALID', `${type}: ${describe(result.error)}`);
  return result.data;
};

export const topicOf = (type: string): string => contractOf(type).topic;
