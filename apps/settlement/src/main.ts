import 'reflect-metadata';
import { runMain } from '@pos/runtime';
import { SETTLEMENT_CONSUMER, SETTLEMENT_PROJECTIONS, SETTLEMENT_TOPICS, SettlementModule } from '@pos/settlement-application';

/** settlement alone: consumes terminal events, posts journals, publishes its own events. */
runMain({
  service: 'settlement',
  title: 'POS settlement ledger: settlement',
  services: ['settlement'],
  consumers: [{ group: SETTLEMENT_CONSUMER, topics: SETTLEMENT_TOPICS }],
  projections: { settlement: SETTLEMENT_PROJECTIONS },
  modules: ({ store, log, background, relay }) => [SettlementModule.register({ store: store('settlement'), log, background, relay })],
});
