import { TEST_TOKENS } from '@pos/testing/processes';
import type { TerminalLogin } from './drive';

/** The operations token of the ledgers the bench starts (any role reads); LEDGER_TOKEN for a ledger of your own (--url). */
export const ADMIN = process.env.LEDGER_TOKEN ?? TEST_TOKENS.operations;

export const post = async (url: string, body: unknown, auth: string) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, string>;
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};

/** Registers `count` terminals (ids `prefix` + number, 8 characters) of one merchant and signs each on. */
export const openTerminals = async (url: string, count: number, prefix: string, merchantId: string, concurrency = 20): Promise<TerminalLogin[]> => {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(8 - prefix.length, '0')}`);
  const out: TerminalLogin[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < ids.length) {
        const terminalId = ids[next++];
        const { apiKey } = await post(
          `${url}/v1/admin/terminals`,
          { terminalId, merchantId, merchantName: 'Load test', currencies: [{ currency: 'CNY', maxAmount: 100_000_000 }], operators: [{ operatorId: '01', password: '1234' }] },
          ADMIN,
        );
        const { batchNo } = await post(`${url}/v1/terminals/${terminalId}/sign-on`, { stan: '000001', operatorId: '01', password: '1234' }, apiKey);
        out.push({ terminalId, apiKey, batchNo, stan: 1 });
      }
    }),
  );
  return out.sort((a, b) => (a.terminalId < b.terminalId ? -1 : 1));
};

/** Sales the read side shows for a merchant's business day. */
export const projectedSales = async (reconciliationUrl: string, merchantId: string, businessDay: string): Promise<number> => {
  const res = await fetch(`${reconciliationUrl}/v1/reconciliation/daily-totals?businessDay=${businessDay}&merchantId=${merchantId}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  const { summary } = (await res.json()) as { summary: Array<{ salesCount: number }> };
  return summary.reduce((n, s) => n + s.salesCount, 0);
};
