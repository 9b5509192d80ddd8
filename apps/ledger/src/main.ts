import 'reflect-metadata';
import { readEnv } from './config';
import { startEmbeddedLedger } from './ledger';

const main = async () => {
  const ledger = await startEmbeddedLedger(readEnv());
  // Graceful stop: consumers finish the message in hand, relays stop, stores close.
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => {
      ledger.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
};

main().catch((error) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'ledger failed to start', error: String(error?.stack ?? error) }));
  process.exit(1);
});
