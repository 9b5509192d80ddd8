import type { ProjectionDefinition } from '@pos/eventing';
import { RECONCILIATION_SERVICE_PROJECTIONS } from '@pos/reconciliation-application';
import type { ServiceName } from '@pos/runtime';
import { SETTLEMENT_PROJECTIONS } from '@pos/settlement-application';
import { GATEWAY_PROJECTIONS } from '@pos/terminal-application';
import { usage } from './cli/errors';

/** Every projection the ledger keeps; a new one is rebuildable once its service lists it (and the services' /v1/ops/projections with it). */
export const PROJECTIONS: readonly ProjectionDefinition[] = [...RECONCILIATION_SERVICE_PROJECTIONS, ...SETTLEMENT_PROJECTIONS, ...GATEWAY_PROJECTIONS];

export const projectionNamed = (name: string): ProjectionDefinition => {
  const def = PROJECTIONS.find((p) => p.name === name);
  if (!def) throw usage('PROJECTION_UNKNOWN', `unknown projection '${name}'; known: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
  return def;
};

export const serviceOf = (def: ProjectionDefinition): ServiceName => def.service as ServiceName;
