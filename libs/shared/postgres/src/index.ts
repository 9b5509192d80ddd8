export * from './migrations';
export * from './pg-service-store';
