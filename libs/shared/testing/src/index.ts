export * from './event-store.contract';
export * from './spawn-ledger';
export * from './raw-store';
