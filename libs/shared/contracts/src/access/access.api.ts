import { z } from 'zod';
import { accessSessionId, accessTokenId, backOfficeRole } from './access.schemas';

/** Signing in to the console: the back-office token itself, once; the session cookie stands for it from then on. */
export const signInRequest = z.strictObject({ token: z.string().min(1).max(200).describe('a back-office token (npm run tokens -- issue, or LEDGER_<ROLE>_TOKEN)') });

/** A console session: whose token it acts for, the CSRF token every write must carry, and when it ends if left idle. */
export const sessionAnswer = z.object({
  sessionId: accessSessionId,
  tokenId: accessTokenId,
  /** The token's name (as issued; OpenAPI's regex dialect has no Unicode classes, so the answer states only its length). */
  name: z.string().min(1).max(100),
  /** The role it acts in (the development token, which holds them all: auditor, as on a read). */
  role: backOfficeRole,
  /** Every role the token holds (one, but for the development token). */
  roles: z.array(backOfficeRole).min(1),
  csrfToken: z.string().regex(/^[0-9a-f]{64}$/).describe('send as header x-csrf-token on every request but GET and HEAD'),
  /** Idle expiry, moved on by every request, never past `absoluteExpiresAt`. */
  expiresAt: z.iso.datetime(),
  absoluteExpiresAt: z.iso.datetime(),
});
export type SessionAnswer = z.output<typeof sessionAnswer>;
