import { alike, errorCatalogue } from '@pos/kernel';

/** Why a projection rebuild is refused or stops (ledger-audit answers them; docs/errors.md). */
export const ProjectionErrors = errorCatalogue({
  // Another build running, or this one aborted under it.
  ...alike({ responseCode: '96', kind: 'conflict' }, 'REBUILD_IN_PROGRESS', 'REBUILD_ABORTED'),
  // No build to abort; a log that lost its start; a live projector that does not keep up.
  ...alike({ responseCode: '96', kind: 'state' }, 'REBUILD_NOT_RUNNING', 'LOG_TRUNCATED', 'LIVE_PROJECTOR_BEHIND'),
});
