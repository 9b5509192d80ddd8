import 'reflect-metadata';
import { runMain } from '@pos/runtime';
import { ledgerPlan } from './ledger';

runMain(ledgerPlan);
