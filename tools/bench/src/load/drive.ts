/**
 * Drives N terminals against a gateway, each one request at a time as terminals are (one
 * autocannon connection per terminal, its own trace numbers), for a fixed time.
 */
import autocannon from 'autocannon';

export interface TerminalLogin {
  readonly terminalId: string;
  readonly apiKey: string;
  readonly batchNo: string;
  /** Last trace number used; the driver goes on from it. */
  stan: number;
}

export interface DriveResult {
  readonly terminals: number;
  readonly seconds: number;
  /** Sales answered 00. */
  readonly sales: number;
  readonly salesPerSecond: number;
  /** Answers other than HTTP 200 with response code 00, and connection errors. */
  readonly failures: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const PAN = '4111111111111111';

/** One sale of a terminal: a card sale or a QR sale, in the proportion terminals see them. */
export const saleBody = (t: TerminalLogin) => {
  t.stan = t.stan >= 999_999 ? 1 : t.stan + 1;
  const stan = String(t.stan).padStart(6, '0');
  const amount = 100 + (t.stan % 9_000);
  return JSON.stringify(
    t.stan % 10 < 7
      ? { stan, batchNo: t.batchNo, amount, currency: 'CNY', method: 'BANK_CARD', card: { pan: PAN } }
      : { stan, batchNo: t.batchNo, amount, currency: 'CNY', method: 'QR', qr: { payerToken: `payer-${t.terminalId}` } },
  );
};

/**
 * `terminals` split over `connections` (default: one each); a connection serves its terminals
 * in turn, one request at a time, so no terminal ever has two requests out. Runs for
 * `seconds`, or until `amount` requests were sent.
 */
export const driveSales = async (
  url: string,
  terminals: readonly TerminalLogin[],
  run: { seconds?: number; amount?: number; connections?: number },
): Promise<DriveResult> => {
  const connections = Math.min(run.connections ?? terminals.length, terminals.length);
  let next = 0;
  let sales = 0;
  let failures = 0;
  const result = await autocannon({
    url,
    connections,
    pipelining: 1,
    ...(run.amount ? { amount: run.amount } : { duration: run.seconds ?? 10 }),
    timeout: 30,
    setupClient: (client) => {
      const c = next++;
      const mine = terminals.filter((_, i) => i % connections === c);
      let turn = 0;
      client.setRequests([
        {
          method: 'POST',
          setupRequest: (req) => {
            const t = mine[turn++ % mine.length];
            return { ...req, path: `/v1/terminals/${t.terminalId}/sales`, headers: { 'content-type': 'application/json', authorization: `Bearer ${t.apiKey}` }, body: saleBody(t) };
          },
          onResponse: (status, body) => {
            if (status === 200 && body.includes('"responseCode":"00"')) sales++;
            else failures++;
          },
        },
      ]);
    },
  });
  return {
    terminals: terminals.length,
    seconds: result.duration,
    sales,
    salesPerSecond: sales / result.duration,
    failures: failures + result.errors + result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
  };
};
