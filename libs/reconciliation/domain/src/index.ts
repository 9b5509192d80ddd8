export * from './daily-totals/daily-totals.projection';
export * from './audit-trail/audit-trail.projection';
