import type { ProjectionDefinition } from '@pos/eventing';
import { BREAKS_PROJECTION, RECONCILIATION_PROJECTIONS } from '@pos/reconciliation-application';
import type { ServiceName } from '@pos/runtime';
import { LEDGER_BALANCES_PROJECTION } from '@pos/settlement-application';
import { usage } from './cli/errors';

/** Every projection the ledger keeps; a new one is rebuildable once it is listed here. */
export const PROJECTIONS: readonly ProjectionDefinition[] = [...RECONCILIATION_PROJECTIONS, BREAKS_PROJECTION, LEDGER_BALANCES_PROJECTION];

export const projectionNamed = (name: string): ProjectionDefinition => {
  const def = PROJECTIONS.find((p) => p.name === name);
  if (!def) throw usage('PROJECTION_UNKNOWN', `unknown projection '${name}'; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
  return def;
};

export const serviceOf = (def: ProjectionDefinition): ServiceName => def.service as ServiceName;
