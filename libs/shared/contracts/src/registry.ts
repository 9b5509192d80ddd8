import { z } from 'zod';
import type { Event } from '@pos/kernel';
import type { AccessEvent } from './access/access.events';
import { accessSchemas } from './access/access.schemas';
import { reconciliationSchemas } from './reconciliation/reconciliation.schemas';
import type { ReconciliationEvent } from './reconciliation/reconciliation.events';
import { settlementSchemas, settlementUpcasters } from './settlement/settlement.schemas';
import { terminalSchemas, terminalUpcasters } from './terminal/terminal.schemas';
import type { TerminalEvent } from './terminal/terminal.events';
import type { SettlementEvent } from './settlement/settlement.events';
import type { OlderVersion } from './wire';

/**
 * The registry of every published event type: its current schema version, its schema, and
 * how each older version is read. A type is never renamed; a new shape gets a new version,
 * and payloads written at an older one are read with that version's schema and upcast.
 */
export type LedgerEvent = TerminalEvent | SettlementEvent | ReconciliationEvent | AccessEvent;
export type LedgerEventType = LedgerEvent['type'];

export const TOPICS = {
  terminal: 'pos.terminal.events.v1',
  settlement: 'pos.settlement.events.v1',
  reconciliation: 'pos.reconciliation.events.v1',
  /** Back-office tokens issued, used for writes, revoked: for whoever audits access (no service consumes it). */
  access: 'pos.access.events.v1',
} as const;

const schemas = { ...terminalSchemas, ...settlementSchemas, ...reconciliationSchemas, ...accessSchemas };
type Schemas = typeof schemas;

// Every event type has a schema and every schema an event type; this fails to compile otherwise.
export const schemasCoverEvents: [[LedgerEventType] extends [keyof Schemas] ? true : false, [keyof Schemas] extends [LedgerEventType] ? true : false] = [true, true];

type SchemaMap = Readonly<Record<string, z.core.$ZodType>>;
/** Readers of older versions per type, oldest first: `[n - 1]` reads version n. The current version is the one after them. */
type OlderMap<M extends SchemaMap> = { readonly [K in keyof M]?: ReadonlyArray<OlderVersion<z.output<M[K]>>> };

const older: OlderMap<Schemas> = { ...terminalUpcasters, ...settlementUpcasters };

export class ContractError extends Error {
  constructor(
    readonly code: 'EVENT_TYPE_UNKNOWN' | 'EVENT_TYPE_UNEXPECTED' | 'EVENT_PAYLOAD_INVALID' | 'EVENT_SCHEMA_VERSION_UNKNOWN',
    message: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

export const isKnownEventType = (type: string): type is LedgerEventType => Object.prototype.hasOwnProperty.call(schemas, type);

const knownType = (type: string): LedgerEventType => {
  if (!isKnownEventType(type)) throw new ContractError('EVENT_TYPE_UNKNOWN', `unknown event type ${JSON.stringify(type)}`);
  return type;
};

/** The version new events of `type` are written at, and every read of one returns. */
export const schemaVersionOf = (type: LedgerEventType): number => (older[type]?.length ?? 0) + 1;

const describe = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

/** Domain data -> JSON-safe wire payload of the current version, validated. */
export const encodeEvent = (type: string, data: unknown): { schemaVersion: number; payload: unknown } => {
  const t = knownType(type);
  const result = z.safeEncode(schemas[t], data as never);
  if (!result.success) throw new ContractError('EVENT_PAYLOAD_INVALID', `${type}: ${describe(result.error)}`);
  return { schemaVersion: schemaVersionOf(t), payload: result.data };
};

/** The event of type K with its data as its schema decodes it (which equals the domain's type: see each schema file). */
type Decoded<M extends SchemaMap, K extends keyof M & string> = { [P in K]: Event<P, z.output<M[P]>> }[K];

/**
 * Reads a payload of `type` at `schemaVersion`, generic over the schema map so that its data is
 * typed by K's own schema (TypeScript relates `M[K]` to a schema only through M's constraint).
 */
const decodeIn = <M extends SchemaMap, K extends keyof M & string>(
  map: M,
  olderOf: OlderMap<M>,
  type: K,
  schemaVersion: number,
  payload: unknown,
): Decoded<M, K> => {
  const readers = olderOf[type] ?? [];
  const current = readers.length + 1;
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > current)
    throw new ContractError('EVENT_SCHEMA_VERSION_UNKNOWN', `${type} v${schemaVersion} is not known (current v${current})`);
  const schema: M[K] = map[type];
  const result = schemaVersion === current ? z.safeParse(schema, payload) : readers[schemaVersion - 1](payload);
  if (!result.success) throw new ContractError('EVENT_PAYLOAD_INVALID', `${type} v${schemaVersion}: ${describe(result.error)}`);
  return { type, data: result.data };
};

/**
 * The boundary where stored or published data becomes a typed event: a wire payload of any
 * known version -> the current event, validated (older versions by their own schema, then upcast).
 */
export const decodeEvent = (type: string, schemaVersion: number, payload: unknown): LedgerEvent => decodeIn(schemas, older, knownType(type), schemaVersion, payload);

export const topicOf = (type: string): string => {
  const t = knownType(type);
  if (t in terminalSchemas) return TOPICS.terminal;
  if (t in settlementSchemas) return TOPICS.settlement;
  return t in accessSchemas ? TOPICS.access : TOPICS.reconciliation;
};
