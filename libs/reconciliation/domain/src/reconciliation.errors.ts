import { alike, errorCatalogue } from '@pos/kernel';

/** The reconciliation context's refusals: clearing files, days, breaks, audit trails. Catalogue in docs/errors.md. */
export const ReconciliationErrors = errorCatalogue({
  CLEARING_FILE_REJECTED: { responseCode: '30', kind: 'validation' },
  ...alike({ responseCode: '25', kind: 'not_found' }, 'DAY_UNKNOWN', 'BREAK_UNKNOWN'),
  ...alike({ responseCode: '12', kind: 'conflict' }, 'BREAK_ALREADY_RESOLVED', 'BREAK_ALREADY_ASSIGNED'),
  // A break command's own values, judged before the break is looked up.
  ...alike({ responseCode: '12', kind: 'validation' }, 'BREAK_RESOLUTION_INVALID', 'BREAK_NOTE_REQUIRED', 'BREAK_ASSIGNEE_INVALID'),
  // Daily checkpoints: a day closes once, after the one before it, and not before it has begun.
  CHECKPOINT_DAY_CLOSED: { responseCode: '12', kind: 'conflict' },
  CHECKPOINT_DAY_INVALID: { responseCode: '12', kind: 'validation' },
  CHECKPOINT_NOT_FOUND: { responseCode: '25', kind: 'not_found' },
  /** An audit trail entry that breaks its event's contract: the trail is damaged. */
  AUDIT_ENTRY_INVALID: { responseCode: '96', kind: 'internal' },
});
