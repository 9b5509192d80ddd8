export * from './clock';
export * from './errors';
export * from './event';
export * from './business-day';
export * from './json';
export * from './prng';
export * from './ids';
