import 'reflect-metadata';
import { exitOnSignals, readEnv } from '@pos/platform';
import { startEmbeddedLedger } from './ledger';

startEmbeddedLedger(readEnv()).then(exitOnSignals, (error) => {
  console.error(JSON.stringify({ level: 'fatal', msg: 'ledger failed to start', error: String(error?.stack ?? error) }));
  process.exit(1);
});
