import type { ProjectionDefinition } from '@pos/eventing';
import { BREAKS_PROJECTION } from './breaks/breaks.projector';
import { RECONCILIATION_PROJECTIONS } from './reconciliation.projector';

/** Every projection of reconciliation's store: the consumer's, and the breaks its own events feed (ledger-audit and /v1/ops/projections rebuild them). */
export const RECONCILIATION_SERVICE_PROJECTIONS: readonly ProjectionDefinition[] = [...RECONCILIATION_PROJECTIONS, BREAKS_PROJECTION];
