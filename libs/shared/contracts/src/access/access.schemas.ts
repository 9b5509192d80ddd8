import { z } from 'zod';
import type { SchemasDecode } from '../wire';
import type * as E from './access.events';

export const backOfficeRole = z.enum(['operations', 'finance', 'auditor']);
/** Ids the CLI gives (`tk-` and 16 hex digits), or the fixed ids of bootstrap and development tokens. */
export const accessTokenId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/);
export const accessTokenName = z.string().min(1).max(100).regex(/^[\p{L}\p{N} ._@+-]+$/u, 'letters, digits, space and ._@+-');

const token = { tokenId: accessTokenId, name: accessTokenName, role: backOfficeRole };
/** A console session's public id (`ss-` and 16 hex digits); its cookie is a secret stored nowhere. */
export const accessSessionId = z.string().regex(/^ss-[0-9a-f]{16}$/);

export const accessSchemas = {
  AccessTokenIssued: z.object(token),
  AccessTokenRevoked: z.object(token),
  AccessTokenUsed: z.object({ ...token, method: z.string().regex(/^[A-Z]{3,7}$/), route: z.string().min(1).max(300), path: z.string().min(1).max(2000) }),
  AccessSessionStarted: z.object({ ...token, sessionId: accessSessionId, expiresAt: z.iso.datetime() }),
  AccessSessionEnded: z.object({ ...token, sessionId: accessSessionId }),
} as const;

export const accessSchemasMatchTypes: SchemasDecode<typeof accessSchemas, E.AccessEvent> = true;
