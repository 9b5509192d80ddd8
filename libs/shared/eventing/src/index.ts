export * from './event-store.port';
export * from './message-log.port';
export * from './hash-chain';
export * from './json';
export * from './envelope';
export * from './outbox-relay';
export * from './idempotent-consumer';
export * from './store-subscription';
