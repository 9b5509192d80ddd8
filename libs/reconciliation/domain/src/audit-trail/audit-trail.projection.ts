import { isKnownEventType, schemaVersionOf } from '@pos/contracts';
import { type Actor, actorFields, type JsonValue, type RecordedEvent, toJsonSafe } from '@pos/kernel';

/**
 * The audit trail: one entry per event naming a terminal and a business day, listed per
 * terminal and day in the order the events occurred. Pure: the same event always gives
 * the same key and entry, so a rebuild equals the live trail.
 */
export interface AuditEntry {
  readonly terminalId: string;
  readonly businessDay: string;
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly actor: Actor;
  readonly streamId: string;
  readonly version: number;
  readonly correlationId: string;
  readonly causationId: string;
  /**
   * The schema version `data` is in: the current one when the entry was projected (older
   * events are upcast on read), so an entry projected before a newer version is read as its own.
   */
  readonly schemaVersion: number;
  readonly hash: string;
  readonly prevHash: string;
  /** The event's data, JSON-safe: bigints (minor units) as decimal strings. */
  readonly data: JsonValue;
}

export interface KeyedAuditEntry {
  readonly key: string;
  readonly entry: AuditEntry;
}

const SEP = '|';
const VERSION_DIGITS = 10;

/**
 * Recursively converts a value to JSON-safe data: bigint to its decimal string, arrays
 * and plain objects element by element; undefined object members are dropped (as
 * JSON.stringify would). Anything JSON cannot carry faithfully is refused.
 */
/** occurredAt as a canonical ISO-8601 UTC instant, so keys sort chronologically; left as is if unparseable. */
const canonicalInstant = (at: string): string => {
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? at : new Date(ms).toISOString();
};

const padVersion = (version: number): string => {
  if (!Number.isSafeInteger(version) || version < 0) throw new RangeError(`audit trail: bad stream version ${version}`);
  return String(version).padStart(VERSION_DIGITS, '0');
};

/** Prefix listing one terminal's day in order. */
export const auditTrailKeyPrefix = (terminalId: string, businessDay: string): string =>
  `${terminalId}${SEP}${businessDay}${SEP}`;

/** `${terminalId}|${businessDay}|${occurredAt}|${streamId}|${version padded to 10 digits}` */
export const auditTrailKey = (e: {
  readonly terminalId: string;
  readonly businessDay: string;
  readonly occurredAt: string;
  readonly streamId: string;
  readonly version: number;
}): string =>
  auditTrailKeyPrefix(e.terminalId, e.businessDay) +
  [canonicalInstant(e.occurredAt), e.streamId, padVersion(e.version)].join(SEP);

const scopeOf = (data: unknown): { terminalId: string; businessDay: string } | undefined => {
  if (typeof data !== 'object' || data === null) return undefined;
  const { terminalId, businessDay } = data as { terminalId?: unknown; businessDay?: unknown };
  if (typeof terminalId !== 'string' || terminalId === '') return undefined;
  if (typeof businessDay !== 'string' || businessDay === '') return undefined;
  return { terminalId, businessDay };
};

/** The audit entry for an event, or undefined when its data names no terminal and business day. */
export const auditEntryOf = (event: RecordedEvent): KeyedAuditEntry | undefined => {
  const scope = scopeOf(event.data);
  if (!scope) return undefined;
  const m = event.metadata;
  const entry: AuditEntry = {
    terminalId: scope.terminalId,
    businessDay: scope.businessDay,
    eventId: m.eventId,
    type: event.type,
    occurredAt: m.occurredAt,
    actor: actorFields(m.actor),
    streamId: m.streamId,
    version: m.version,
    correlationId: m.correlationId,
    causationId: m.causationId,
    schemaVersion: isKnownEventType(event.type) ? schemaVersionOf(event.type) : m.schemaVersion,
    hash: m.hash,
    prevHash: m.prevHash,
    data: toJsonSafe(event.data),
  };
  return { key: auditTrailKey({ ...scope, occurredAt: m.occurredAt, streamId: m.streamId, version: m.version }), entry };
};

type Ordered = Pick<AuditEntry, 'eventId' | 'causationId' | 'streamId' | 'version'>;

/**
 * A trail (in key order: occurred-at, stream, version) with no effect before its cause.
 * Events a service appends in reaction to another carry that one's occurred-at (BatchSettled
 * and PayoutScheduled share their BatchClosed's), so time ties them and the stream name would
 * list the settlement first. Each entry whose cause, or whose predecessor in its own stream,
 * is in the trail waits for it and then follows right after it; the rest keep key order.
 */
export const inCausalOrder = <E extends Ordered>(entries: readonly E[]): E[] => {
  const present = new Set(entries.map((e) => e.eventId));
  const byPosition = new Map(entries.map((e) => [`${e.streamId}|${e.version}`, e.eventId]));
  const emitted = new Set<string>();
  const waiting = new Map<string, E[]>();
  const out: E[] = [];
  const blocker = (e: E) =>
    [e.causationId, byPosition.get(`${e.streamId}|${e.version - 1}`)].find((id) => id !== undefined && id !== e.eventId && present.has(id) && !emitted.has(id));
  for (const first of entries) {
    const todo = [first];
    while (todo.length > 0) {
      const e = todo.shift()!;
      const until = blocker(e);
      if (until !== undefined) {
        waiting.set(until, [...(waiting.get(until) ?? []), e]);
        continue;
      }
      out.push(e);
      emitted.add(e.eventId);
      todo.unshift(...(waiting.get(e.eventId) ?? []));
      waiting.delete(e.eventId);
    }
  }
  // Only a cycle (corrupt data) leaves entries waiting: they keep key order, at the end.
  return out.length === entries.length ? out : [...out, ...entries.filter((e) => !emitted.has(e.eventId))];
};

/** Which terminals a business day has, per merchant: lists a merchant's (or the whole) day without scanning every trail. */
export interface AuditDayIndexEntry {
  readonly businessDay: string;
  readonly merchantId: string;
  readonly terminalId: string;
}

const DAY_INDEX = '@day';

/** `@day|${businessDay}|` or `@day|${businessDay}|${merchantId}|`; '@' sorts apart from terminal ids. */
export const auditDayIndexPrefix = (businessDay: string, merchantId?: string): string =>
  [DAY_INDEX, businessDay, ...(merchantId ? [merchantId] : [])].join(SEP) + SEP;

/** The day-index entry an event implies, or undefined when it names no merchant, terminal and business day. */
export const auditDayIndexOf = (event: RecordedEvent): { key: string; entry: AuditDayIndexEntry } | undefined => {
  const scope = scopeOf(event.data);
  const merchantId = (event.data as { merchantId?: unknown }).merchantId;
  if (!scope || typeof merchantId !== 'string' || merchantId === '') return undefined;
  return { key: auditDayIndexPrefix(scope.businessDay, merchantId) + scope.terminalId, entry: { ...scope, merchantId } };
};

/** Folds events into the trail, ordered by key (a rebuild, an export, or a test). */
export const projectAuditTrail = (events: Iterable<RecordedEvent>): KeyedAuditEntry[] => {
  const byKey = new Map<string, KeyedAuditEntry>();
  for (const event of events) {
    const keyed = auditEntryOf(event);
    if (keyed) byKey.set(keyed.key, keyed);
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
};
