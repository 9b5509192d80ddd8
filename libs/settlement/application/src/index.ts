export * from './settlement.module';
export * from './settle-batch/settlement.projector';
export * from './ledger-balances/ledger-balances.projector';
