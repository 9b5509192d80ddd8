export * from './terminal/terminal.events';
export * from './settlement/settlement.events';
export * from './terminal/terminal.schemas';
export * from './settlement/settlement.schemas';
export * from './reconciliation/reconciliation.events';
export * from './reconciliation/reconciliation.schemas';
export * from './registry';
export * as wire from './wire';
