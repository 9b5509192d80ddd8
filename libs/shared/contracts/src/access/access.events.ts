import type { Event } from '@pos/kernel';

/** What a back-office token may do: `operations` and `finance` write their own routes; every role reads. */
export type BackOfficeRole = 'operations' | 'finance' | 'auditor';

/** A back-office token was issued (by the CLI). Its secret is never in an event; its SHA-256 is kept beside it in the access store. */
export type AccessTokenIssued = Event<'AccessTokenIssued', { readonly tokenId: string; readonly name: string; readonly role: BackOfficeRole }>;

/** A back-office token was revoked: refused from the next request on, on every replica. */
export type AccessTokenRevoked = Event<'AccessTokenRevoked', { readonly tokenId: string; readonly name: string; readonly role: BackOfficeRole }>;

/**
 * A write role was used: recorded before the request runs, so no write goes unrecorded. The
 * events the request appends carry the same actor and correlation id; an accepted request that
 * appends nothing (an idempotent retry) is this event alone.
 */
export type AccessTokenUsed = Event<
  'AccessTokenUsed',
  { readonly tokenId: string; readonly name: string; readonly role: BackOfficeRole; readonly method: string; readonly route: string; readonly path: string }
>;

/**
 * Someone signed in to the console with the token: a session (`sessionId`, not its cookie) now
 * acts with the token's role until it is signed out, expires or the token is revoked.
 */
export type AccessSessionStarted = Event<'AccessSessionStarted', { readonly tokenId: string; readonly name: string; readonly role: BackOfficeRole; readonly sessionId: string; readonly expiresAt: string }>;

/** A session was signed out: refused from the next request on, everywhere. (Expiry is not an event: the session's times say it.) */
export type AccessSessionEnded = Event<'AccessSessionEnded', { readonly tokenId: string; readonly name: string; readonly role: BackOfficeRole; readonly sessionId: string }>;

export type AccessEvent = AccessTokenIssued | AccessTokenRevoked | AccessTokenUsed | AccessSessionStarted | AccessSessionEnded;

/** Each token's history (issued, every write it made, revoked) is one hash-chained stream. */
export const accessTokenStreamId = (tokenId: string): string => `access-token-${tokenId}`;
