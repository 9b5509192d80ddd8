import { alike, errorCatalogue } from '@pos/kernel';

/** Why a projection rebuild is refused or stops (ledger-audit and /v1/ops/projections answer them; docs/errors.md). */
export const ProjectionErrors = errorCatalogue({
  // A projection name the service does not keep (GET /v1/ops/projections lists them).
  PROJECTION_UNKNOWN: { responseCode: '30', kind: 'not_found' },
  // Another build running, or this one aborted under it.
  ...alike({ responseCode: '96', kind: 'conflict' }, 'REBUILD_IN_PROGRESS', 'REBUILD_ABORTED'),
  // No build to abort; a log that lost its start; a live projector that does not keep up.
  ...alike({ responseCode: '96', kind: 'state' }, 'REBUILD_NOT_RUNNING', 'LOG_TRUNCATED', 'LIVE_PROJECTOR_BEHIND'),
});
