export * from './daily-totals/daily-totals.projection';
export * from './audit-trail/audit-trail.projection';
export * from './audit-export/audit-export';
export * from './day-report/day-report';
export * from './clearing/clearing.types';
