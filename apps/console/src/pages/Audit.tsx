import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { ApiError, get, query } from '../app/api';
import { shortHash, currentBusinessDay } from '../app/format';
import { setParams, useLocation } from '../app/router';
import type { AuditExport, AuditLine, ChainReport } from '../app/types';
import { Amount, Badge, ErrorNote, Loading, TableBox, Time, useLoad, useZones, Select, Head } from '../app/ui';

type Scope = 'terminal' | 'batch' | 'merchant';

/** Whether a line's event is covered by its stream's verified chain (terminal streams: GET .../verify). */
const chainOf = (line: AuditLine, reports: Map<string, ChainReport | ApiError>): { ok: boolean | undefined; text: string } => {
  const r = reports.get(line.streamId);
  if (!r) return { ok: undefined, text: 'not verified here (only terminal streams have a verify route)' };
  if (r instanceof ApiError) return { ok: undefined, text: `could not verify: ${r.code}` };
  if (r.ok) return { ok: true, text: `chain verifies (${r.events} events)` };
  const broken = r.brokenAtVersion ?? 0;
  return line.version < broken ? { ok: true, text: `verifies up to version ${broken - 1}` } : { ok: false, text: `chain broken at version ${broken}: ${r.code ?? ''} ${r.reason ?? ''}` };
};

const CSV_COLUMNS = [
  'seq', 'occurredAt', 'type', 'actor', 'merchantId', 'terminalId', 'businessDay', 'batchNo', 'stan', 'rrn', 'kind', 'method', 'currency', 'amount',
  'runningTotalsAfter', 'streamId', 'version', 'hash', 'prevHash', 'chain',
] as const;
const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const totalsText = (line: AuditLine) => line.after.map((t) => `${t.currency} D${t.debitCount}/${t.debitAmount} C${t.creditCount}/${t.creditAmount} N${t.net}`).join('; ');

/** The trail as CSV (amounts in minor units, exactly as the API answers them). */
const toCsv = (lines: readonly AuditLine[], reports: Map<string, ChainReport | ApiError>): string => {
  const rows = lines.map((l) => {
    const values: Record<(typeof CSV_COLUMNS)[number], string> = {
      seq: String(l.seq), occurredAt: l.occurredAt, type: l.type, actor: l.actor, merchantId: l.merchantId ?? '', terminalId: l.terminalId, businessDay: l.businessDay,
      batchNo: l.batchNo ?? '', stan: l.stan ?? '', rrn: l.rrn ?? '', kind: l.kind ?? '', method: l.method ?? '', currency: l.currency ?? '', amount: l.amount ?? '',
      runningTotalsAfter: totalsText(l), streamId: l.streamId, version: String(l.version), hash: l.hash, prevHash: l.prevHash, chain: chainOf(l, reports).text,
    };
    return CSV_COLUMNS.map((c) => csvCell(values[c])).join(',');
  });
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
};

const scopeLabel = (s: AuditExport['scope']) =>
  s.kind === 'merchant-day' ? `merchant ${s.merchantId}` : s.kind === 'batch' ? `batch ${s.batchNo} of terminal ${s.terminalId}` : `terminal ${s.terminalId}`;

/** A terminal's, batch's or merchant's trail for a day, with running totals, hashes, chain verification and CSV export. */
export const AuditPage = () => {
  const { params } = useLocation();
  const zones = useZones();
  const day = params.get('day') ?? currentBusinessDay();
  const scope = (params.get('scope') as Scope | null) ?? 'terminal';
  const id = params.get('id') ?? '';
  const batchNo = params.get('batch') ?? '';
  const [form, setForm] = useState({ scope, id, batchNo, day });
  const ask =
    id &&
    query({
      businessDay: day,
      merchantId: scope === 'merchant' ? id : undefined,
      terminalId: scope === 'merchant' ? undefined : id,
      batchNo: scope === 'batch' ? batchNo : undefined,
    });
  const trail = useLoad(() => get<AuditExport>(`/v1/reconciliation/audit-trail${ask}`), [ask], { skip: !ask });
  const terminals = useMemo(() => [...new Set(trail.data?.lines.map((l) => l.terminalId))], [trail.data]);
  const [reports, setReports] = useState(new Map<string, ChainReport | ApiError>());
  useEffect(() => {
    let live = true;
    setReports(new Map());
    void Promise.all(
      terminals.map((t) =>
        get<ChainReport>(`/v1/admin/terminals/${t}/verify`).then(
          (r): [string, ChainReport | ApiError] => [r.streamId, r],
          (e: unknown): [string, ChainReport | ApiError] => [`terminal-${t}`, e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e))],
        ),
      ),
    ).then((all) => live && setReports(new Map(all)));
    return () => {
      live = false;
    };
  }, [terminals]);
  const csvHref = useMemo(() => (trail.data ? URL.createObjectURL(new Blob([toCsv(trail.data.lines, reports)], { type: 'text/csv' })) : undefined), [trail.data, reports]);
  useEffect(
    () => () => {
      if (csvHref) URL.revokeObjectURL(csvHref);
    },
    [csvHref],
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setParams({ day: form.day, scope: form.scope, id: form.id.trim().toUpperCase(), batch: form.scope === 'batch' ? form.batchNo.trim() : undefined });
  };
  const verified = [...reports.values()].filter((r): r is ChainReport => !(r instanceof ApiError));

  return (
    <>
      <h1>Audit trail</h1>
      <form className="filters" onSubmit={submit} aria-label="Which trail">
        <Select label="Trail of" value={form.scope} onChange={(e) => setForm({ ...form, scope: e.target.value as Scope })}>
            <option value="terminal">a terminal's day</option>
            <option value="batch">a batch</option>
            <option value="merchant">a merchant's day</option>
          </Select>
        <label className="field">
          {form.scope === 'merchant' ? 'Merchant ID' : 'Terminal ID'}
          <input required value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} pattern={form.scope === 'merchant' ? '[A-Za-z0-9]{15}' : '[A-Za-z0-9]{8}'} />
        </label>
        {form.scope === 'batch' && (
          <label className="field">
            Batch number
            <input required pattern="[0-9]{6}" value={form.batchNo} onChange={(e) => setForm({ ...form, batchNo: e.target.value })} />
          </label>
        )}
        <label className="field">
          Business day
          <input type="date" required value={form.day} onChange={(e) => setForm({ ...form, day: e.target.value })} />
        </label>
        <button type="submit">Show the trail</button>
      </form>
      <ErrorNote error={trail.error} what="The trail could not be read" />
      {trail.loading && <Loading what="the trail" />}
      {trail.data && (
        <section aria-labelledby="trail-title">
          <h2 id="trail-title">
            Trail of {scopeLabel(trail.data.scope)} on {day}
          </h2>
          <div role="status" className="chain-state">
            {verified.map((r) => (
              <p key={r.streamId} className={r.ok ? 'good' : 'bad'}>
                <Badge tone={r.ok ? 'good' : 'bad'}>{r.ok ? 'Chain verifies' : 'Chain broken'}</Badge> {r.streamId}: {r.events} events
                {!r.ok && ` — ${r.code ?? ''} at version ${r.brokenAtVersion ?? '?'}: ${r.reason ?? ''}`}
              </p>
            ))}
          </div>
          <p>
            {trail.data.lines.length} events.{' '}
            {csvHref && (
              <a className="button" href={csvHref} download={`audit-${trail.data.scope.kind}-${id}-${day}.csv`}>
                Export CSV
              </a>
            )}
          </p>
          <TableBox label="Audit trail">
            <table className="trail">
              <Head cols={['#', 'Time', 'Event', 'Actor', 'Terminal / batch', 'Transaction', 'Running totals after', 'Hash', 'Chain']} />
              <tbody>
                {trail.data.lines.map((l) => {
                  const c = chainOf(l, reports);
                  return (
                    <tr key={l.eventId}>
                      <td>{l.seq}</td>
                      <td><Time at={l.occurredAt} zone={zones.ofTerminal(l.terminalId)} /></td>
                      <td>{l.type}</td>
                      <td>{l.actor}</td>
                      <td>
                        {l.terminalId}
                        {l.batchNo && <> / {l.batchNo}</>}
                      </td>
                      <td>
                        {l.kind && `${l.kind.toLowerCase()} `}
                        {l.method && `${l.method === 'QR' ? 'QR' : 'card'} `}
                        {l.amount && l.currency && <Amount minor={l.amount} currency={l.currency} />}
                        {l.stan && <span className="muted"> stan {l.stan}</span>}
                        {l.rrn && <span className="muted"> rrn {l.rrn}</span>}
                      </td>
                      <td>
                        {l.after.map((t) => (
                          <div key={t.currency}>
                            {t.debitCount} dr <Amount minor={t.debitAmount} currency={t.currency} />, {t.creditCount} cr <Amount minor={t.creditAmount} currency={t.currency} />, net{' '}
                            <Amount minor={t.net} currency={t.currency} />
                          </div>
                        ))}
                      </td>
                      <td>
                        <code title={l.hash}>{shortHash(l.hash)}</code>
                      </td>
                      <td title={c.text}>{c.ok === true ? <Badge tone="good">verified</Badge> : c.ok === false ? <Badge tone="bad">broken</Badge> : <span className="muted">n/a</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableBox>
        </section>
      )}
    </>
  );
};
