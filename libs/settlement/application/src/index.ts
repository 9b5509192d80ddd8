export * from './settlement.module';
export * from './settle-batch/settlement.projector';
export * from './ledger-balances/ledger-balances.projector';
export * from './settlement.context';
export * from './pricing/calendars';
export * from './pricing/merchant-pricing';
export * from './payouts/payouts';
