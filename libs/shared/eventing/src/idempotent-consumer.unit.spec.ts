import { ContractError } from '@pos/contracts';
import { ConcurrencyError, DomainError, errorCatalogue } from '@pos/kernel';
import { describe, expect, it } from 'vitest';
import { PoisonMessageError } from './envelope';
import { failureKind } from './idempotent-consumer';

const Refusals = errorCatalogue({ SOMETHING_REFUSED: { responseCode: '12', kind: 'state' } });

/** What node-postgres throws when the server is gone or going: plain errors with a code. */
const pgError = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('failure kinds of a consumer', () => {
  it('dead-letters only what the message itself causes: a refusal, a broken contract, an unreadable message', () => {
    expect(failureKind(Refusals.SOMETHING_REFUSED('refused'))).toBe('poison');
    expect(failureKind(new PoisonMessageError('MESSAGE_UNPARSEABLE', 'not JSON'))).toBe('poison');
    expect(failureKind(new ContractError('EVENT_PAYLOAD_INVALID', 'amount is not a decimal string'))).toBe('poison');
  });

  it('retries a lost race and an outage without end: they are not refusals', () => {
    const conflict = new ConcurrencyError('terminal-T0000001', 3, 4);
    expect(conflict).not.toBeInstanceOf(DomainError);
    expect(conflict).toMatchObject({ code: 'STREAM_VERSION_CONFLICT', responseCode: '96', kind: 'conflict' });
    expect(failureKind(conflict)).toBe('transient');
    expect(failureKind(pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe('transient');
    expect(failureKind(pgError('terminating connection due to administrator command', '57P01'))).toBe('transient');
    expect(failureKind(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(failureKind(new AggregateError([pgError('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')]))).toBe('transient');
  });

  it('gives a programming error a few tries', () => {
    expect(failureKind(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe('bug');
  });
});
