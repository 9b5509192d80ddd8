export * from './deployment';
export * from './service-runtime';
export * from './start';
export * from './background';
