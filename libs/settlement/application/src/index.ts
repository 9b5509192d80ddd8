export * from './settlement.module';
export * from './settle-batch/settlement.projector';
