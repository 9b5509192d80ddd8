import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useMemo, useRef } from 'react';
import { formatAmount, formatCount, hourIn } from './format';
import type { HostLedger } from './types';
import { Amount, TableBox } from './ui';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const METHODS = [
  { method: 'BANK_CARD', label: 'Bank card', colour: '#1d4f91' },
  { method: 'QR', label: 'QR', colour: '#b04a00' },
] as const;
const HOURS = Array.from({ length: 24 }, (_, h) => h);
const hourLabel = (h: number) => `${String(h).padStart(2, '0')}:00`;

interface Cell {
  count: number;
  amount: bigint;
}

/**
 * Sales per hour of the day (the merchant's zone) by payment method, in one currency: the host
 * ledger's sales (`GET /v1/reconciliation/host-ledger`) counted into hours, exactly (bigint).
 */
export const SalesChart = ({ ledger, currency, zoneOf, merchantId }: { ledger: HostLedger; currency: string; zoneOf(terminalId: string): string; merchantId?: string }) => {
  const canvas = useRef<HTMLCanvasElement>(null);
  const cells = useMemo(() => {
    const grid = new Map<string, Cell>();
    for (const t of ledger.transactions) {
      if (t.kind !== 'SALE' || t.status !== 'COMPLETED' || t.currency !== currency || (merchantId && t.merchantId !== merchantId)) continue;
      const key = `${t.method}|${hourIn(t.occurredAt, zoneOf(t.terminalId))}`;
      const c = grid.get(key) ?? { count: 0, amount: 0n };
      c.count += 1;
      c.amount += BigInt(t.amount);
      grid.set(key, c);
    }
    return grid;
  }, [ledger, currency, zoneOf, merchantId]);
  const cell = (method: string, h: number): Cell => cells.get(`${method}|${h}`) ?? { count: 0, amount: 0n };
  const hours = HOURS.filter((h) => METHODS.some((m) => cell(m.method, h).count > 0));

  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: {
        labels: HOURS.map(hourLabel),
        // Bar heights are for the eye only; every figure a person reads (tooltip, table) is the exact amount.
        datasets: METHODS.map((m) => ({
          label: m.label,
          backgroundColor: m.colour,
          data: HOURS.map((h) => Number(cell(m.method, h).amount)),
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, ticks: { callback: (v) => formatAmount(BigInt(Math.round(Number(v))), currency) } } },
        plugins: {
          tooltip: {
            callbacks: {
              label: (item) => {
                const c = cell(METHODS[item.datasetIndex].method, item.dataIndex);
                return `${METHODS[item.datasetIndex].label}: ${formatAmount(c.amount, currency)} (${formatCount(c.count)} sales)`;
              },
            },
          },
        },
      },
    });
    return () => chart.destroy();
    // cell() reads only `cells`.
  }, [cells, currency]);

  return (
    <figure className="chart">
      <div className="chart-box">
        <canvas ref={canvas} role="img" aria-label={`Sales per hour by payment method in ${currency}; the same figures are in the table below`} />
      </div>
      <figcaption>
        <details>
          <summary>Sales per hour in {currency}, as a table</summary>
          <TableBox label={`Sales per hour in ${currency}`}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Hour</th>
                  {METHODS.map((m) => (
                    <th scope="col" key={m.method}>
                      {m.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {hours.map((h) => (
                  <tr key={h}>
                    <th scope="row">{hourLabel(h)}</th>
                    {METHODS.map((m) => (
                      <td key={m.method}>
                        <Amount minor={cell(m.method, h).amount} currency={currency} /> ({formatCount(cell(m.method, h).count)})
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Day</th>
                  {METHODS.map((m) => {
                    const day = HOURS.reduce((t, h) => ({ count: t.count + cell(m.method, h).count, amount: t.amount + cell(m.method, h).amount }), { count: 0, amount: 0n });
                    return (
                      <td key={m.method} data-method={m.method}>
                        <Amount minor={day.amount} currency={currency} /> ({formatCount(day.count)})
                      </td>
                    );
                  })}
                </tr>
              </tfoot>
            </table>
          </TableBox>
        </details>
      </figcaption>
    </figure>
  );
};
