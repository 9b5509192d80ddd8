export * from './reconciliation.module';
export * from './reconciliation.projector';
export * from './audit-trail/audit-trail.queries';
