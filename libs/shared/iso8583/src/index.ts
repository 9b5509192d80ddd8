export * from './codec';
export * from './errors';
export * from './frame';
export * from './hex';
export * from './spec';
export * from './wire';
