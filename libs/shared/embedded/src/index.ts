export * from './sqlite';
export * from './sqlite-service-store';
export * from './sqlite-message-log';
