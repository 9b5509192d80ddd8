import { type FormEvent, useState } from 'react';
import { post } from '../app/api';
import { DEFAULT_TIME_ZONE, minorFromMajor } from '../app/format';
import { Link, pageHref } from '../app/router';
import { useSession } from '../app/session';
import type { RegisteredTerminal } from '../app/types';
import { ErrorNote, noteRefusal, useAction, useZones, Select } from '../app/ui';
import { RefusedPage } from './Refused';

const CURRENCIES = ['CNY', 'HKD', 'MOP', 'TWD', 'USD', 'EUR', 'GBP', 'SGD', 'AUD', 'CAD', 'CHF', 'THB', 'MYR', 'JPY', 'KRW', 'VND', 'KWD', 'BHD'];

/** Registers a terminal (operations): its merchant, one currency with its limit, one operator; the keys are shown once. */
export const RegisterTerminalPage = () => {
  const { can } = useSession();
  const zones = useZones();
  const allowed = can('operations');
  const [f, setF] = useState({ terminalId: '', merchantId: '', merchantName: '', currency: 'CNY', maxAmount: '50000.00', operatorId: '01', password: '', timeZone: DEFAULT_TIME_ZONE });
  const [done, setDone] = useState<RegisteredTerminal>();
  const { busy, error, run } = useAction('Registering a terminal', async (body: unknown) => {
    setDone(await post<RegisteredTerminal>('/v1/admin/terminals', body));
    zones.reload();
  });
  if (!allowed) {
    noteRefusal({ action: 'Registering a terminal', code: 'ADMIN_FORBIDDEN', message: 'registering terminals is for the operations role', need: 'operations' });
    return <RefusedPage />;
  }

  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const limit = minorFromMajor(f.maxAmount, f.currency);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (limit === undefined) return;
    await run({
      terminalId: f.terminalId.trim(), merchantId: f.merchantId.trim(), merchantName: f.merchantName.trim(),
      currencies: [{ currency: f.currency, maxAmount: limit.toString() }],
      operators: [{ operatorId: f.operatorId.trim(), password: f.password }],
      timeZone: f.timeZone.trim(),
    });
  };

  if (done)
    return (
      <>
        <h1>Terminal {done.terminalId} registered</h1>
        <p role="status">
          Batch {done.batchNo}, business day {done.businessDay}. Give the terminal its keys now: <strong>they are shown only once</strong>.
        </p>
        <dl className="secrets">
          <dt>API key</dt>
          <dd>
            <code>{done.apiKey}</code>
          </dd>
          <dt>ISO 8583 master key</dt>
          <dd>
            <code>{done.masterKey}</code>
          </dd>
        </dl>
        <p>
          <Link href={pageHref('terminals')}>Back to the terminals</Link>
        </p>
      </>
    );

  return (
    <>
      <h1>Register a terminal</h1>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <label className="field">
          Terminal ID (8 letters or digits)
          <input required pattern="[A-Z0-9]{8}" value={f.terminalId} onChange={set('terminalId')} />
        </label>
        <label className="field">
          Merchant ID (15 letters or digits)
          <input required pattern="[A-Z0-9]{15}" value={f.merchantId} onChange={set('merchantId')} />
        </label>
        <label className="field">
          Merchant name
          <input required maxLength={80} value={f.merchantName} onChange={set('merchantName')} />
        </label>
        <label className="field">
          Merchant's time zone (IANA)
          <input required value={f.timeZone} onChange={set('timeZone')} />
        </label>
        <Select label="Currency" value={f.currency} onChange={set('currency')}>
            {CURRENCIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </Select>
        <label className="field">
          Limit per transaction ({f.currency})
          <input required inputMode="decimal" value={f.maxAmount} onChange={set('maxAmount')} aria-invalid={limit === undefined} />
        </label>
        {limit === undefined && <p className="error">Not an amount of {f.currency}: digits, and at most as many decimals as the currency has.</p>}
        <label className="field">
          Operator ID (2–8 digits)
          <input required pattern="[0-9]{2,8}" value={f.operatorId} onChange={set('operatorId')} />
        </label>
        <label className="field">
          Operator password (4–32 characters)
          <input required type="password" autoComplete="new-password" minLength={4} maxLength={32} value={f.password} onChange={set('password')} />
        </label>
        <p className="muted">Pricing: the default plan (bank card 60 bps, QR 38 bps, paid T+1).</p>
        <button type="submit" disabled={busy || limit === undefined}>
          {busy ? 'Registering…' : 'Register'}
        </button>
      </form>
      <ErrorNote error={error} what="Not registered" />
    </>
  );
};
