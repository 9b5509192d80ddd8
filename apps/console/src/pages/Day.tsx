import type { ReactNode } from 'react';
import { get, query } from '../app/api';
import { currentBusinessDay } from '../app/format';
import { setParams, useLocation } from '../app/router';
import { SalesChart } from '../app/SalesChart';
import type { DailyTotals, DayBatch, DayReport, HostLedger } from '../app/types';
import { Amount, Badge, Code, Count, DayPicker, ErrorNote, Loading, TableBox, Time, useLoad, useZones, Select, Head } from '../app/ui';

type Totals = DayReport['totals'];

const DayTotals = ({ totals, caption }: { totals: Totals; caption: string }) => (
  <TableBox label={caption}>
    <table>
      <caption>{caption}</caption>
      <Head cols={['Currency', 'Batches', 'Balanced', 'Unbalanced', 'Open', 'Gross', 'Fees', 'Net', 'Payouts']} />
      <tbody>
        {totals.map((t) => (
          <tr key={t.currency}>
            <th scope="row">{t.currency}</th>
            <td><Count n={t.batches} /></td>
            <td><Count n={t.balanced} /></td>
            <td><Count n={t.unbalanced} /></td>
            <td><Count n={t.open} /></td>
            <td><Amount minor={t.gross} currency={t.currency} /></td>
            <td><Amount minor={t.fees} currency={t.currency} /></td>
            <td><Amount minor={t.net} currency={t.currency} /></td>
            <td>
              <Amount minor={t.payouts} currency={t.currency} /> (<Count n={t.payoutCount} />)
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </TableBox>
);

const DailySummary = ({ summary }: { summary: DailyTotals['summary'] }) => (
  <TableBox label="Daily totals per currency">
    <table>
      <caption>Daily totals per currency</caption>
      <Head cols={['Currency', 'Sales', 'Voids', 'Refunds', 'Reversals', 'Gross', 'Fees', 'Net']} />
      <tbody>
        {summary.map((s) => (
          <tr key={s.currency}>
            <th scope="row">{s.currency}</th>
            <td><Amount minor={s.salesAmount} currency={s.currency} /> (<Count n={s.salesCount} />)</td>
            <td><Amount minor={s.voidsAmount} currency={s.currency} /> (<Count n={s.voidsCount} />)</td>
            <td><Amount minor={s.refundsAmount} currency={s.currency} /> (<Count n={s.refundsCount} />)</td>
            <td><Amount minor={s.reversalsAmount} currency={s.currency} /> (<Count n={s.reversalsCount} />)</td>
            <td><Amount minor={s.gross} currency={s.currency} /></td>
            <td><Amount minor={s.fees} currency={s.currency} /></td>
            <td><Amount minor={s.net} currency={s.currency} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  </TableBox>
);

const Lines = <T,>({ items, show }: { items: readonly T[]; show(item: T): ReactNode }) =>
  items.length ? (
    <ul className="lines">
      {items.map((item, i) => (
        <li key={i}>{show(item)}</li>
      ))}
    </ul>
  ) : (
    <span aria-label="none">—</span>
  );

const resultBadge = (b: DayBatch) =>
  b.status === 'OPEN' ? <Badge tone="warn">Open</Badge> : b.result === 'UNBALANCED' ? <Badge tone="bad">Unbalanced</Badge> : <Badge tone="good">Balanced</Badge>;

const Differences = ({ batch, terminalId }: { batch: DayBatch; terminalId: string }) => (
  <table className="differences">
    <caption>
      Differences of batch {batch.batchNo} on terminal {terminalId}
    </caption>
    <Head cols={['Kind', 'Currency', 'Trace (STAN)', 'RRN', 'Host amount', 'Terminal amount', 'Note']} />
    <tbody>
      {batch.differences.map((d, i) => (
        <tr key={i}>
          <td><Code code={d.kind} /></td>
          <td>{d.currency}</td>
          <td>{d.stan ?? '—'}</td>
          <td>{d.rrn ?? '—'}</td>
          <td>{d.hostAmount !== undefined ? <Amount minor={d.hostAmount} currency={d.currency} /> : '—'}</td>
          <td>{d.terminalAmount !== undefined ? <Amount minor={d.terminalAmount} currency={d.currency} /> : '—'}</td>
          <td>{d.note}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

const Merchant = ({ merchant, zone, name }: { merchant: DayReport['merchants'][number]; zone: string; name?: string }) => (
  <section className="merchant" aria-labelledby={`m-${merchant.merchantId}`}>
    <h3 id={`m-${merchant.merchantId}`}>
      {name ?? 'Merchant'} <span className="muted">{merchant.merchantId}</span>
    </h3>
    <p className="muted">
      {merchant.counts.terminals} terminals, {merchant.counts.batches} batches ({merchant.counts.settled} settled, {merchant.counts.open} open)
      {merchant.anomalies.length > 0 && <>, {merchant.anomalies.length} anomalies</>}
    </p>
    <TableBox label={`Batches of merchant ${merchant.merchantId}`}>
      <table className="batches">
        <Head cols={['Terminal', 'Batch', 'Result', 'Transactions', 'Gross', 'Fees', 'Net', 'Payouts', 'Closed']} />
        {merchant.terminals.flatMap((t) =>
          t.batches.map((b) => (
            <tbody key={`${t.terminalId}/${b.batchNo}`} className="batch" data-batch={`${t.terminalId}/${b.batchNo}`}>
              <tr>
                <th scope="row">{t.terminalId}</th>
                <td>{b.batchNo}</td>
                <td>
                  {resultBadge(b)}
                  {b.differences.length > 0 && <span className="muted"> {b.differences.length === 1 ? '1 difference' : `${b.differences.length} differences`}</span>}
                </td>
                <td><Count n={b.transactionCount} /></td>
                <td><Lines items={b.settlement?.totals ?? []} show={(x) => <Amount minor={x.gross} currency={x.currency} />} /></td>
                <td><Lines items={b.settlement?.totals ?? []} show={(x) => <Amount minor={x.fees} currency={x.currency} />} /></td>
                <td><Lines items={b.settlement?.totals ?? []} show={(x) => <Amount minor={x.net} currency={x.currency} />} /></td>
                <td>
                  <Lines
                    items={b.payouts}
                    show={(p) => (
                      <>
                        <Amount minor={p.amount} currency={p.currency} /> on <time dateTime={p.payoutDate}>{p.payoutDate}</time>
                      </>
                    )}
                  />
                </td>
                <td><Time at={b.closedAt} zone={zone} /></td>
              </tr>
              {b.differences.length > 0 && (
                <tr className="detail">
                  <td colSpan={9}>
                    <Differences batch={b} terminalId={t.terminalId} />
                  </td>
                </tr>
              )}
            </tbody>
          )),
        )}
      </table>
    </TableBox>
  </section>
);

/** The business day at a glance: the day report and daily totals as the API answers them, and sales per hour. */
export const DayPage = () => {
  const { params } = useLocation();
  const zones = useZones();
  const day = params.get('day') ?? currentBusinessDay();
  const merchantId = params.get('merchant') ?? '';
  const currency = params.get('currency') ?? '';
  const report = useLoad(() => get<DayReport>(`/v1/reconciliation/day-report${query({ businessDay: day })}`), [day]);
  const totals = useLoad(() => get<DailyTotals>(`/v1/reconciliation/daily-totals${query({ businessDay: day, merchantId: merchantId || undefined })}`), [day, merchantId]);
  const ledger = useLoad(() => get<HostLedger>(`/v1/reconciliation/host-ledger${query({ businessDay: day })}`), [day]);

  const r = report.data;
  const merchant = r?.merchants.find((m) => m.merchantId === merchantId);
  const shown = r ? (merchant ? [merchant] : r.merchants) : [];
  const currencies = (merchant ?? r)?.totals.map((t) => t.currency) ?? [];
  const chartCurrency: string = currencies.find((c) => c === currency) ?? currencies[0] ?? '';
  const anomalies = (merchant ?? r)?.anomalies ?? [];

  return (
    <>
      <h1>Business day {day}</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Which day">
        <DayPicker value={day} onChange={(d) => setParams({ day: d })} />
        <Select label="Merchant" value={merchantId} onChange={(e) => setParams({ day, merchant: e.target.value || undefined })}>
            <option value="">All merchants</option>
            {r?.merchants.map((m) => (
              <option key={m.merchantId} value={m.merchantId}>
                {m.merchantId}
              </option>
            ))}
          </Select>
      </form>
      <ErrorNote error={report.error} what="The day report could not be read" />
      {!r && report.loading && <Loading what="the day report" />}
      {r && (
        <>
          <section aria-labelledby="day-summary">
            <h2 id="day-summary">The day {merchant ? `for merchant ${merchant.merchantId}` : 'overall'}</h2>
            <p role="status" className={r.ok ? 'good' : 'bad'}>
              {r.ok ? 'Every batch of the day is closed, settled and its journal balances.' : `${r.anomalies.length} anomalies need attention.`}{' '}
              {(merchant ?? r).counts.batches} batches on {(merchant ?? r).counts.terminals} terminals.
            </p>
            <DayTotals totals={(merchant ?? r).totals} caption="Batches, fees and payouts per currency (day report)" />
            {totals.data && <DailySummary summary={totals.data.summary} />}
            <ErrorNote error={totals.error} what="The daily totals could not be read" />
            {anomalies.length > 0 && (
              <>
                <h3>Anomalies</h3>
                <ul>
                  {anomalies.map((a, i) => (
                    <li key={i}>
                      <Code code={a.code} />: {a.terminalId} batch {a.batchNo}
                      {a.currency ? ` (${a.currency})` : ''}: {a.message}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
          <section aria-labelledby="sales-hour">
            <h2 id="sales-hour">Sales per hour by payment method</h2>
            {currencies.length > 1 && (
              <Select label="Currency" value={chartCurrency} onChange={(e) => setParams({ currency: e.target.value })}>
                  {currencies.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </Select>
            )}
            <p className="muted">Hours in the merchants' time zones.</p>
            <ErrorNote error={ledger.error} what="The host ledger could not be read" />
            {ledger.data && chartCurrency && <SalesChart ledger={ledger.data} currency={chartCurrency} zoneOf={zones.ofTerminal} merchantId={merchantId || undefined} />}
            {!chartCurrency && <p>No sales on this day.</p>}
          </section>
          <section aria-labelledby="batches">
            <h2 id="batches">Batches per merchant and terminal</h2>
            {shown.length === 0 && <p>No batches on this day.</p>}
            {shown.map((m) => (
              <Merchant key={m.merchantId} merchant={m} zone={zones.ofMerchant(m.merchantId)} name={zones.terminals?.find((t) => t.merchantId === m.merchantId)?.merchantName} />
            ))}
          </section>
        </>
      )}
    </>
  );
};
