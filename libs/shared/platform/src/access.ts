import { randomBytes } from 'node:crypto';
import { type AccessEvent, accessTokenName, accessTokenStreamId, type BackOfficeRole, backOfficeRole, type SessionAnswer } from '@pos/contracts';
import type { ServiceStore, StoreTx } from '@pos/eventing';
import { type Actor, type Clock, ConcurrencyError, DomainError } from '@pos/kernel';
import { AccessErrors, EdgeErrors } from './errors';
import { bearerOf, sameDigest, sha256 } from './guards';
import { type AccessSessions, type SessionRecord, SignInLimiter } from './session';

export type { BackOfficeRole };
export const BACK_OFFICE_ROLES: readonly BackOfficeRole[] = backOfficeRole.options;

/**
 * What a route needs: a role that writes (`operations`, `finance`), any back-office role (`read`:
 * auditor, operations or finance alike: the writers need what they read to do their work, and no
 * route answers anything more sensitive than what they write), a terminal's own key (`terminal`,
 * checked by the terminal API), a console session of any role and no bearer token (`session`: the
 * session's own routes), or nothing (`public`: health, metrics, and signing in).
 */
export type RouteAccess = 'operations' | 'finance' | 'read' | 'session' | 'terminal' | 'public';
export const WRITE_ROLES = ['operations', 'finance'] as const satisfies readonly RouteAccess[];
/** The roles that read, the one that only reads first. */
export const READ_ROLES: readonly BackOfficeRole[] = ['auditor', ...WRITE_ROLES];

/** The well-known development token: accepted only by the embedded default listening on loopback. */
export const DEVELOPMENT_TOKEN = 'dev-admin-token';

/** Refusals of the back office's routes (docs/errors.md). The code says which; the message never says whether a token exists. */
export const adminUnauthenticated = () => EdgeErrors.ADMIN_UNAUTHENTICATED('a valid back-office bearer token is required (missing, unknown or revoked)');
export const adminForbidden = (tokenId: string, role: string, need: RouteAccess | undefined) =>
  EdgeErrors.ADMIN_FORBIDDEN(`token ${tokenId} has the ${role} role; ${need ? `this operation needs the ${need} role` : 'this operation is open to no role'}`);

/** Who called: a token's id and name, and every role it holds (one, except the development token's). */
export interface Principal {
  readonly tokenId: string;
  readonly name: string;
  readonly roles: readonly BackOfficeRole[];
}

/** The actor written into the metadata of every event a request appends. */
export const actorOf = (p: Principal, role: BackOfficeRole): Actor => ({ type: 'token', id: p.tokenId, name: p.name, role });

/** The role a principal acts in on a route that needs `need` (a read: its own, auditor first); ADMIN_FORBIDDEN otherwise. */
export const roleOn = (p: Principal, need: RouteAccess | undefined): BackOfficeRole => {
  if (need === 'read' || need === 'session') return p.roles.includes('auditor') ? 'auditor' : p.roles[0];
  if ((need === 'operations' || need === 'finance') && p.roles.includes(need)) return need;
  // A route that declares nothing is reached by no role: a new route is closed until it says who may call it.
  throw adminForbidden(p.tokenId, p.roles.join('+'), need);
};

/** A token as stored: never the token itself, only its SHA-256 (tokens are 256 random bits: a slow hash adds nothing). */
export interface AccessTokenRecord {
  readonly tokenId: string;
  readonly name: string;
  readonly role: BackOfficeRole;
  readonly hash: string;
  readonly status: 'active' | 'revoked';
  readonly issuedAt: string;
  readonly revokedAt?: string;
}
export type AccessTokenListing = Omit<AccessTokenRecord, 'hash'>;

const COLLECTIONS = { tokens: 'access-tokens', byHash: 'access-token-hashes' } as const;

/** 256 random bits, base64url: what a bearer token is. */
export const newBearerToken = (): string => randomBytes(32).toString('base64url');
const newTokenId = (): string => `tk-${randomBytes(8).toString('hex')}`;

const tokenRoleInvalid = (role: string) => AccessErrors.TOKEN_ROLE_INVALID(`role must be one of ${BACK_OFFICE_ROLES.join(', ')}, got ${JSON.stringify(role)}`);
export const parseRole = (role: string): BackOfficeRole => {
  const r = backOfficeRole.safeParse(role);
  if (!r.success) throw tokenRoleInvalid(role);
  return r.data;
};

const appendIn = (tx: StoreTx, tokenId: string, events: readonly AccessEvent[], actor: Actor, correlationId: string, now: Date) =>
  tx.events.append(
    accessTokenStreamId(tokenId),
    'ANY',
    events.map((e) => ({ type: e.type, data: e.data, occurredAt: now, context: { correlationId, causationId: correlationId, actor } })),
  );

const listingOf = ({ hash: _hash, ...listing }: AccessTokenRecord): AccessTokenListing => listing;

/**
 * The back office's tokens in the access store (SQLite beside the services' files on the embedded
 * default, schema `access` on PostgreSQL): every replica of every service reads the same rows, and
 * reads them on every request, so a revocation holds from the next request on, everywhere. Each
 * token's history is one hash-chained stream: issued, every write it made, revoked.
 */
export class AccessTokens {
  constructor(private readonly store: ServiceStore) {}

  private async append(tokenId: string, events: readonly AccessEvent[], actor: Actor, correlationId: string, now: Date, write?: (tx: StoreTx) => Promise<void>) {
    await this.store.transaction(async (tx) => {
      await write?.(tx);
      await appendIn(tx, tokenId, events, actor, correlationId, now);
    });
  }

  /** Issues a token; the answer holds the token itself, which is stored nowhere and cannot be shown again. */
  async issue(o: { name: string; role: string }, actor: Actor, now: Date, correlationId: string): Promise<{ token: string; record: AccessTokenListing }> {
    const named = accessTokenName.safeParse(o.name);
    if (!named.success) throw AccessErrors.TOKEN_NAME_INVALID(`token name ${JSON.stringify(o.name)}: ${named.error.issues.map((i) => i.message).join('; ')}`);
    const role = parseRole(o.role);
    const token = newBearerToken();
    const record: AccessTokenRecord = { tokenId: newTokenId(), name: named.data, role, hash: sha256(token), status: 'active', issuedAt: now.toISOString() };
    await this.append(record.tokenId, [{ type: 'AccessTokenIssued', data: { tokenId: record.tokenId, name: record.name, role } }], actor, correlationId, now, async (tx) => {
      await tx.documents.put(COLLECTIONS.tokens, record.tokenId, record);
      await tx.documents.put(COLLECTIONS.byHash, record.hash, { tokenId: record.tokenId });
    });
    return { token, record: listingOf(record) };
  }

  /** Revokes a token by id; revoking it again changes nothing (`changed: false`). */
  async revoke(tokenId: string, actor: Actor, now: Date, correlationId: string): Promise<{ record: AccessTokenListing; changed: boolean }> {
    let outcome: { record: AccessTokenListing; changed: boolean } | undefined;
    await this.store.transaction(async (tx) => {
      const record = await tx.documents.get<AccessTokenRecord>(COLLECTIONS.tokens, tokenId);
      if (!record) throw AccessErrors.TOKEN_UNKNOWN(`no token ${JSON.stringify(tokenId)} (npm run tokens -- list)`);
      if (record.status === 'revoked') {
        outcome = { record: listingOf(record), changed: false };
        return;
      }
      const revoked: AccessTokenRecord = { ...record, status: 'revoked', revokedAt: now.toISOString() };
      await tx.documents.put(COLLECTIONS.tokens, tokenId, revoked);
      await appendIn(tx, tokenId, [{ type: 'AccessTokenRevoked', data: { tokenId, name: record.name, role: record.role } }], actor, correlationId, now);
      outcome = { record: listingOf(revoked), changed: true };
    });
    return outcome!;
  }

  async list(): Promise<AccessTokenListing[]> {
    return (await this.store.listDocuments<AccessTokenRecord>(COLLECTIONS.tokens, '')).map((r) => listingOf(r.doc));
  }

  async activeCount(): Promise<number> {
    return (await this.list()).filter((t) => t.status === 'active').length;
  }

  /** The active token with this SHA-256, if any. */
  async findActive(hash: string): Promise<AccessTokenRecord | undefined> {
    const ref = await this.store.getDocument<{ tokenId: string }>(COLLECTIONS.byHash, hash);
    const record = ref && (await this.store.getDocument<AccessTokenRecord>(COLLECTIONS.tokens, ref.tokenId));
    // The key is the hash of a 256-bit secret, so the lookup's timing tells nobody anything; the comparison is constant-time all the same.
    return record && record.status === 'active' && sameDigest(record.hash, hash) ? record : undefined;
  }

  /** Records a write role's use in the token's stream, before the request runs. */
  recordUse(p: Principal, role: BackOfficeRole, request: { method: string; route: string; path: string }, now: Date, correlationId: string): Promise<void> {
    return this.record(p.tokenId, { type: 'AccessTokenUsed', data: { tokenId: p.tokenId, name: p.name, role, ...request } }, actorOf(p, role), correlationId, now);
  }

  /** Appends to a token's stream (with `write` in the same transaction): a use, a session's start or end. */
  async record(tokenId: string, event: AccessEvent, actor: Actor, correlationId: string, now: Date, write?: (tx: StoreTx) => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.append(tokenId, [event], actor, correlationId, now, write);
      } catch (e) {
        // Two first uses of a token with no stream yet (a bootstrap or the development token) race to create it: the loser appends after it.
        if (!(e instanceof ConcurrencyError) || attempt >= 5) throw e;
      }
    }
  }
}

/** A token from the environment (`LEDGER_<ROLE>_TOKEN`), held by each process as its hash only. */
export interface BootstrapToken {
  readonly role: BackOfficeRole;
  readonly hash: string;
}

export const bootstrapVariable = (role: BackOfficeRole): string => `LEDGER_${role.toUpperCase()}_TOKEN`;
const STRONG_TOKEN = /^[A-Za-z0-9._~+/=-]{43,200}$/;

/** `LEDGER_OPERATIONS_TOKEN`, `LEDGER_FINANCE_TOKEN`, `LEDGER_AUDITOR_TOKEN`: each at least 256 bits, no two the same. */
export const bootstrapTokensOf = (env: NodeJS.ProcessEnv): BootstrapToken[] => {
  const tokens: BootstrapToken[] = [];
  for (const role of BACK_OFFICE_ROLES) {
    const value = env[bootstrapVariable(role)];
    if (value === undefined || value === '') continue;
    if (!STRONG_TOKEN.test(value))
      throw new Error(`${bootstrapVariable(role)} must be at least 43 characters of [A-Za-z0-9._~+/=-] (256 random bits, e.g. from \`openssl rand -hex 32\`)`);
    const hash = sha256(value);
    if (tokens.some((t) => t.hash === hash)) throw new Error(`${bootstrapVariable(role)} is the same token as another role's: give each role its own`);
    tokens.push({ role, hash });
  }
  return tokens;
};

/** Where the development token works: the embedded default, listening on loopback only. */
export const isLoopbackHost = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

export interface AccessLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface BackOfficeAccessOptions {
  readonly tokens: AccessTokens;
  readonly sessions: AccessSessions;
  readonly bootstrap: readonly BootstrapToken[];
  /** Whether the development token is accepted, and why (for the log line when it is not). */
  readonly development: { readonly accepted: boolean; readonly reason: string };
  readonly clock: Clock;
  readonly logger: AccessLogger;
  /** Failed sign-ins per client address (one limiter per process). */
  readonly signIns?: SignInLimiter;
}

const DEVELOPMENT_HASH = sha256(DEVELOPMENT_TOKEN);

/** A console session, as GET /v1/session answers it. */
const answerOf = (p: Principal, s: SessionRecord, expiresAt: Date): SessionAnswer => ({
  sessionId: s.sessionId,
  tokenId: p.tokenId,
  name: p.name,
  role: roleOn(p, 'read'),
  roles: [...p.roles],
  csrfToken: s.csrfToken,
  expiresAt: expiresAt.toISOString(),
  absoluteExpiresAt: s.absoluteExpiresAt,
});

export const signInRateLimited = (seconds: number) =>
  EdgeErrors.SIGN_IN_RATE_LIMITED(`too many wrong back-office tokens from this address; try again in ${seconds} s`, { retryAfterSeconds: seconds });
export const sessionUnauthenticated = () => EdgeErrors.ADMIN_UNAUTHENTICATED('no console session: signed out, expired, its token revoked, or never signed in (POST /v1/session)');

/** Authenticates and authorises the back office's requests: 401 for no, unknown or revoked tokens, 403 for the wrong role. */
export class BackOfficeAccess {
  private readonly signIns: SignInLimiter;

  constructor(private readonly o: BackOfficeAccessOptions) {
    this.signIns = o.signIns ?? new SignInLimiter();
    if (!o.development.accepted) o.logger.info({ reason: o.development.reason }, 'the development token is refused here');
    for (const t of o.bootstrap) o.logger.info({ tokenId: `bootstrap-${t.role}`, role: t.role }, `back-office token from ${bootstrapVariable(t.role)}`);
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const given = bearerOf(authorization);
    if (!given) throw adminUnauthenticated();
    return this.principalOf(sha256(given));
  }

  /** The token a SHA-256 names, as it stands now: a bearer token's, or a session's token checked again on every request. */
  private async principalOf(hash: string): Promise<Principal> {
    if (sameDigest(hash, DEVELOPMENT_HASH)) {
      if (this.o.development.accepted) return { tokenId: 'development', name: 'development token', roles: BACK_OFFICE_ROLES };
      this.o.logger.warn({ reason: this.o.development.reason }, 'the development token was refused: it works only on the embedded default listening on loopback');
      throw adminUnauthenticated();
    }
    const boot = this.o.bootstrap.find((t) => sameDigest(hash, t.hash));
    if (boot) return { tokenId: `bootstrap-${boot.role}`, name: bootstrapVariable(boot.role), roles: [boot.role] };
    const record = await this.o.tokens.findActive(hash);
    if (!record) throw adminUnauthenticated();
    return { tokenId: record.tokenId, name: record.name, roles: [record.role] };
  }

  /**
   * Signs in with a back-office token: a new session, recorded in the token's stream. A wrong
   * token counts against the client's address; past the limit, every sign-in from it is refused
   * for a while (SIGN_IN_RATE_LIMITED), a right token included.
   */
  async signIn(token: string, client: string, correlationId: string): Promise<{ cookie: string; answer: SessionAnswer }> {
    const now = this.o.clock.now();
    const wait = this.signIns.retryAfter(client, now);
    if (wait > 0) throw signInRateLimited(wait);
    const tokenHash = sha256(token);
    let p: Principal;
    try {
      p = await this.principalOf(tokenHash);
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== 'ADMIN_UNAUTHENTICATED') throw e;
      this.signIns.failed(client, now);
      this.o.logger.warn({ client }, 'a sign-in with a wrong back-office token was refused');
      throw EdgeErrors.ADMIN_UNAUTHENTICATED('not a valid back-office token (unknown, revoked, or the development token where it is refused): no session');
    }
    const role = roleOn(p, 'read');
    const started = await this.o.sessions.start({ tokenId: p.tokenId, name: p.name, roles: p.roles, tokenHash, role }, now, (tokenId, event, write) =>
      this.o.tokens.record(tokenId, event, actorOf(p, role), correlationId, now, write),
    );
    this.o.logger.info({ tokenId: p.tokenId, sessionId: started.record.sessionId, client }, 'signed in');
    return { cookie: started.cookie, answer: answerOf(p, started.record, started.expiresAt) };
  }

  /** The principal of a session cookie: a live session whose token is still valid; ADMIN_UNAUTHENTICATED otherwise. */
  async authenticateSession(cookie: string): Promise<{ principal: Principal; session: SessionAnswer }> {
    const found = await this.o.sessions.find(cookie, this.o.clock.now());
    if (!found) throw sessionUnauthenticated();
    const principal = await this.principalOf(found.record.tokenHash);
    return { principal, session: answerOf(principal, found.record, found.expiresAt) };
  }

  /** Signs a session out, for good and everywhere; recorded in its token's stream. */
  async signOut(cookie: string, p: Principal, correlationId: string): Promise<void> {
    const now = this.o.clock.now();
    const role = roleOn(p, 'read');
    await this.o.sessions.end(cookie, role, (tokenId, event, write) => this.o.tokens.record(tokenId, event, actorOf(p, role), correlationId, now, write));
  }

  authorize(p: Principal, need: RouteAccess | undefined): BackOfficeRole {
    return roleOn(p, need);
  }

  recordUse(p: Principal, role: BackOfficeRole, request: { method: string; route: string; path: string }, correlationId: string): Promise<void> {
    return this.o.tokens.recordUse(p, role, request, this.o.clock.now(), correlationId);
  }
}
