import 'reflect-metadata';
import { join } from 'node:path';
import { runMain } from '@pos/runtime';
import { ledgerPlan } from './ledger';

// Built beside this file (tools/build.mjs): relays and consumers run there on the embedded default.
runMain({ ...ledgerPlan, backgroundWorker: join(__dirname, 'background.js') });
