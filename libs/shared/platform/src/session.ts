import { randomBytes } from 'node:crypto';
import type { AccessEvent, BackOfficeRole } from '@pos/contracts';
import type { ServiceStore, StoreTx } from '@pos/eventing';
import { sameDigest, sha256 } from './guards';

/** The console's session cookie, and the header every write made with it carries. */
export const SESSION_COOKIE = 'ledger_session';
export const CSRF_HEADER = 'x-csrf-token';
/** A session ends after 30 minutes without a request, and 12 hours after sign-in whatever happens. */
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 12 * 60 * 60_000;
/** Last activity is written at most once a minute per session: reads stay reads, and idle expiry is a minute exact. */
const SEEN_EVERY_MS = 60_000;

const COLLECTIONS = { sessions: 'access-sessions', seen: 'access-sessions-seen' } as const;

/**
 * A session as stored, under the SHA-256 of its cookie (the cookie itself is stored nowhere). It
 * holds the hash of the token it was made with, so that every request checks that token again:
 * a revoked token (or a changed LEDGER_<ROLE>_TOKEN) ends its sessions at once.
 */
export interface SessionRecord {
  readonly sessionId: string;
  readonly tokenId: string;
  readonly name: string;
  readonly roles: readonly BackOfficeRole[];
  readonly tokenHash: string;
  readonly csrfToken: string;
  readonly createdAt: string;
  readonly absoluteExpiresAt: string;
}

/**
 * Last activity lives in its own document: a request that moves it on can never bring back a
 * session signed out meanwhile (the session document is written once and only ever deleted).
 */
interface SessionSeen {
  readonly at: string;
}

/** A session's fate at `now`, from its record and its last activity (pure). */
export const sessionStateAt = (
  s: Pick<SessionRecord, 'absoluteExpiresAt'>,
  lastSeenAt: string,
  now: Date,
): { alive: true; expiresAt: Date; touch: boolean } | { alive: false; reason: 'idle' | 'expired' } => {
  const absolute = Date.parse(s.absoluteExpiresAt);
  const seen = Date.parse(lastSeenAt);
  if (now.getTime() >= absolute) return { alive: false, reason: 'expired' };
  if (now.getTime() >= seen + SESSION_IDLE_MS) return { alive: false, reason: 'idle' };
  const touch = now.getTime() - seen >= SEEN_EVERY_MS;
  const idleEnd = (touch ? now.getTime() : seen) + SESSION_IDLE_MS;
  return { alive: true, expiresAt: new Date(Math.min(idleEnd, absolute)), touch };
};

/** The value of one cookie in a `Cookie` header (RFC 6265 syntax: `a=1; b=2`), if present once. */
export const cookieOf = (header: string | string[] | undefined, name: string): string | undefined => {
  const values = (typeof header === 'string' ? header : (header ?? []).join('; '))
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
  // Two cookies of one name (one set for a parent path or domain) are ambiguous: neither is taken.
  return values.length === 1 ? values[0] : undefined;
};

/** The cookie a sign-in sets: HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure over https. */
export const sessionCookie = (value: string, secure: boolean): string =>
  `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}; Max-Age=${SESSION_MAX_MS / 1000}`;
/** The header that removes it (sign-out). */
export const clearedSessionCookie = (secure: boolean): string => `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}; Max-Age=0`;

const SESSION_VALUE = /^[A-Za-z0-9_-]{43}$/;
const CSRF_VALUE = /^[0-9a-f]{64}$/;

/** Whether a request's CSRF header is its session's token (constant-time). */
export const csrfMatches = (given: string | string[] | undefined, expected: string): boolean =>
  typeof given === 'string' && CSRF_VALUE.test(given) && sameDigest(given, expected);

/** Methods that change nothing, so need no CSRF token. */
export const isSafeMethod = (method: string): boolean => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';

export interface StartedSession {
  /** The cookie's value: given to the browser once, stored only as its hash. */
  readonly cookie: string;
  readonly record: SessionRecord;
  readonly expiresAt: Date;
}

/** Appends a session's start or end to its token's stream, in one transaction with the session's documents. */
export type RecordAccess = (tokenId: string, event: AccessEvent, write: (tx: StoreTx) => Promise<void>) => Promise<void>;

/**
 * Console sessions in the access store, beside the tokens: every service of every deployment
 * reads the same rows on every request, so a session made on one is accepted by all, and one
 * signed out is refused by all from the next request on.
 */
export class AccessSessions {
  constructor(private readonly store: ServiceStore) {}

  async start(
    o: { tokenId: string; name: string; roles: readonly BackOfficeRole[]; tokenHash: string; role: BackOfficeRole },
    now: Date,
    record: RecordAccess,
  ): Promise<StartedSession> {
    const cookie = randomBytes(32).toString('base64url');
    const session: SessionRecord = {
      sessionId: `ss-${randomBytes(8).toString('hex')}`,
      tokenId: o.tokenId,
      name: o.name,
      roles: o.roles,
      tokenHash: o.tokenHash,
      csrfToken: randomBytes(32).toString('hex'),
      createdAt: now.toISOString(),
      absoluteExpiresAt: new Date(now.getTime() + SESSION_MAX_MS).toISOString(),
    };
    const key = sha256(cookie);
    const expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, Date.parse(session.absoluteExpiresAt)));
    await this.purgeEnded(now);
    const event: AccessEvent = {
      type: 'AccessSessionStarted',
      data: { tokenId: o.tokenId, name: o.name, role: o.role, sessionId: session.sessionId, expiresAt: session.absoluteExpiresAt },
    };
    await record(o.tokenId, event, async (tx) => {
      await tx.documents.put(COLLECTIONS.sessions, key, session);
      await tx.documents.put(COLLECTIONS.seen, key, { at: session.createdAt } satisfies SessionSeen);
    });
    return { cookie, record: session, expiresAt };
  }

  /** The live session a cookie names, moving its last activity on; undefined when unknown, signed out or expired. */
  async find(cookie: string, now: Date): Promise<{ record: SessionRecord; expiresAt: Date } | undefined> {
    if (!SESSION_VALUE.test(cookie)) return undefined;
    const key = sha256(cookie);
    const [record, seen] = await Promise.all([
      this.store.getDocument<SessionRecord>(COLLECTIONS.sessions, key),
      this.store.getDocument<SessionSeen>(COLLECTIONS.seen, key),
    ]);
    if (!record || !seen) return undefined;
    const state = sessionStateAt(record, seen.at, now);
    if (!state.alive) {
      await this.forget(key);
      return undefined;
    }
    if (state.touch) await this.store.transaction((tx) => tx.documents.put(COLLECTIONS.seen, key, { at: now.toISOString() } satisfies SessionSeen));
    return { record, expiresAt: state.expiresAt };
  }

  /** Ends a session (sign-out): its documents go, and the end is recorded in its token's stream. */
  async end(cookie: string, role: BackOfficeRole, record: RecordAccess): Promise<void> {
    const key = sha256(cookie);
    const session = await this.store.getDocument<SessionRecord>(COLLECTIONS.sessions, key);
    if (!session) return;
    const event: AccessEvent = { type: 'AccessSessionEnded', data: { tokenId: session.tokenId, name: session.name, role, sessionId: session.sessionId } };
    await record(session.tokenId, event, async (tx) => {
      await tx.documents.delete(COLLECTIONS.sessions, key);
      await tx.documents.delete(COLLECTIONS.seen, key);
    });
  }

  private forget(key: string): Promise<void> {
    return this.store.transaction(async (tx) => {
      await tx.documents.delete(COLLECTIONS.sessions, key);
      await tx.documents.delete(COLLECTIONS.seen, key);
    });
  }

  /**
   * Sessions that expired unseen are deleted at the next sign-in (there are as many as sign-ins in
   * 12 hours), and so is the last activity a request wrote while its session was being signed out.
   */
  private async purgeEnded(now: Date): Promise<void> {
    const seen = new Map((await this.store.listDocuments<SessionSeen>(COLLECTIONS.seen, '')).map((r) => [r.key, r.doc.at]));
    const sessions = await this.store.listDocuments<SessionRecord>(COLLECTIONS.sessions, '');
    const ended = sessions.filter((r) => !sessionStateAt(r.doc, seen.get(r.key) ?? r.doc.createdAt, now).alive).map((r) => r.key);
    const live = new Set(sessions.map((r) => r.key));
    for (const key of [...ended, ...[...seen.keys()].filter((k) => !live.has(k))]) await this.forget(key);
  }
}

/**
 * Failed sign-ins per client address, in memory: at most `limit` in any `windowMs`, then every
 * sign-in from that address (a right token too) is refused until the oldest failure leaves the
 * window. A right token does not wipe the count: one token's holder may not guess another's
 * (a higher role) by signing in between guesses. Tokens are 256 random bits, so this is not
 * what keeps them secret; it keeps a guessing client from filling the logs and the access store's reads.
 */
export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly limit = 10,
    readonly windowMs = 15 * 60_000,
    private readonly maxClients = 10_000,
  ) {}

  /** Seconds until `client` may try again, or 0 when it may now. */
  retryAfter(client: string, now: Date): number {
    const recent = this.recent(client, now);
    return recent.length < this.limit ? 0 : Math.max(1, Math.ceil((recent[0] + this.windowMs - now.getTime()) / 1000));
  }

  failed(client: string, now: Date): void {
    const recent = [...this.recent(client, now), now.getTime()].slice(-this.limit);
    this.failures.delete(client);
    this.failures.set(client, recent);
    // The oldest clients go first when too many addresses failed: the map stays bounded.
    for (const oldest of this.failures.keys()) {
      if (this.failures.size <= this.maxClients) break;
      this.failures.delete(oldest);
    }
  }

  private recent(client: string, now: Date): number[] {
    return (this.failures.get(client) ?? []).filter((t) => t > now.getTime() - this.windowMs);
  }
}
