export * from './event-store.contract';
export * from './namespaced-log';
export * from './spawn-ledger';
export * from './stored-event';
export * from './wait';
export * from './raw-store';
