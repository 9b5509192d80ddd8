import { alike, errorCatalogue } from '@pos/kernel';

/** Refusals at the HTTP edge, before any context's rules, and what the error filter answers for failures that are not refusals. Catalogue in docs/errors.md. */
export const EdgeErrors = errorCatalogue({
  // A body or query that does not parse, or that the body parser refuses.
  ...alike({ responseCode: '30', kind: 'validation' }, 'REQUEST_INVALID', 'QUERY_INVALID', 'MALFORMED_JSON', 'REQUEST_TOO_LARGE', 'MEDIA_TYPE_UNSUPPORTED'),
  ADMIN_UNAUTHENTICATED: { responseCode: 'A0', kind: 'unauthenticated' },
  ADMIN_FORBIDDEN: { responseCode: '58', kind: 'forbidden' },
  // A write made with the session cookie without its session's CSRF token (63: security violation).
  CSRF_INVALID: { responseCode: '63', kind: 'forbidden' },
  // Too many wrong tokens from one address (75: allowable number of tries exceeded).
  SIGN_IN_RATE_LIMITED: { responseCode: '75', kind: 'rate_limited' },
  // The reconciliation app could not reach the service it forwards to (91: switch inoperative).
  UPSTREAM_UNREACHABLE: { responseCode: '91', kind: 'internal' },
  ROUTE_NOT_FOUND: { responseCode: '40', kind: 'not_found' },
  INTERNAL_ERROR: { responseCode: '96', kind: 'internal' },
});

/** Refusals of the token commands (`npm run tokens`): usage errors of an operator's CLI, exit 2 (docs/errors.md, ledger-audit). */
export const AccessErrors = errorCatalogue({
  ...alike({ responseCode: '30', kind: 'validation' }, 'TOKEN_ROLE_INVALID', 'TOKEN_NAME_INVALID'),
  TOKEN_UNKNOWN: { responseCode: '30', kind: 'not_found' },
});
