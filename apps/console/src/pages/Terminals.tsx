import { useState } from 'react';
import { get, post } from '../app/api';
import { Link, pageHref, setParams, useLocation } from '../app/router';
import { useSession } from '../app/session';
import type { TerminalList, TerminalView, UnlockAnswer } from '../app/types';
import { Amount, Badge, ErrorNote, Loading, TableBox, Time, useLoad, Select, Head, useAction } from '../app/ui';

const STATE: Record<TerminalView['state'], { label: string; tone: 'good' | 'plain' | 'warn' }> = {
  SIGNED_ON: { label: 'Signed on', tone: 'good' },
  SIGNED_OFF: { label: 'Signed off', tone: 'plain' },
  REGISTERED: { label: 'Registered, never signed on', tone: 'warn' },
};

const Unlock = ({ terminalId, operatorId, done }: { terminalId: string; operatorId: string; done(text: string): void }) => {
  const { busy, error, run: unlock } = useAction(`Unlocking operator ${operatorId} of ${terminalId}`, async () => {
    const a = await post<UnlockAnswer>(`/v1/admin/terminals/${terminalId}/operators/${operatorId}/unlock`);
    done(a.unlocked ? `Operator ${operatorId} of ${terminalId} is unlocked.` : `Operator ${operatorId} of ${terminalId} was not locked: nothing changed.`);
  });
  return (
    <>
      <button type="button" className="small" disabled={busy} onClick={() => void unlock()}>
        Unlock operator {operatorId}
      </button>
      <ErrorNote error={error} what="Not unlocked" />
    </>
  );
};

/** Every terminal's state (GET /v1/admin/terminals); operations register terminals and unlock operators. */
export const TerminalsPage = () => {
  const { can } = useSession();
  // Live: the list follows the gateway's events within moments (docs/api.md).
  const answer = useLoad(() => get<TerminalList>('/v1/admin/terminals'), [], { refreshMs: 3000 });
  const { terminals } = answer.data ?? {};
  const reload = answer.reload;
  const { params } = useLocation();
  const merchantId = params.get('merchant') ?? '';
  const [notice, setNotice] = useState('');
  const list = terminals?.filter((t) => !merchantId || t.merchantId === merchantId);
  const merchants = [...new Set(terminals?.map((t) => t.merchantId))].sort();
  const operations = can('operations');

  return (
    <>
      <h1>Terminals</h1>
      <div className="actions">
        <Select label="Merchant" value={merchantId} onChange={(e) => setParams({ merchant: e.target.value || undefined })}>
            <option value="">All merchants</option>
            {merchants.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </Select>
        <button type="button" className="quiet" onClick={reload}>
          Refresh
        </button>
        {operations && (
          <Link className="button" href={pageHref('terminals/new')}>
            Register a terminal
          </Link>
        )}
      </div>
      <p role="status" aria-live="polite">
        {notice}
      </p>
      <ErrorNote error={answer.error} what="The terminals could not be read" />
      {!list && answer.loading && <Loading what="the terminals" />}
      {list && (
        <TableBox label="Terminals">
          <table>
            <caption>{list.length} terminals</caption>
            <Head cols={['Terminal', 'Merchant', 'State', 'Operator', 'Batch', 'Open batch', 'Last activity', 'Locked operators']} />
            <tbody>
              {list.map((t) => (
                <tr key={t.terminalId} data-terminal={t.terminalId}>
                  <th scope="row">{t.terminalId}</th>
                  <td>
                    {t.merchantName} <span className="muted">{t.merchantId}</span>
                  </td>
                  <td>
                    <Badge tone={STATE[t.state].tone}>{STATE[t.state].label}</Badge>
                  </td>
                  <td>{t.operatorId ?? '—'}</td>
                  <td>
                    {t.batchNo} <span className="muted">({t.businessDay})</span>
                  </td>
                  <td>
                    {t.openBatch.length === 0
                      ? 'empty'
                      : t.openBatch.map((o) => (
                          <div key={o.currency}>
                            {o.count} for <Amount minor={o.amount} currency={o.currency} />
                          </div>
                        ))}
                  </td>
                  <td>
                    <Time at={t.lastActivityAt} zone={t.timeZone} />
                  </td>
                  <td>
                    {t.lockedOperators.length === 0
                      ? 'none'
                      : t.lockedOperators.map((op) =>
                          operations ? (
                            <Unlock
                              key={op}
                              terminalId={t.terminalId}
                              operatorId={op}
                              done={(text) => {
                                setNotice(text);
                                reload();
                              }}
                            />
                          ) : (
                            <span key={op} data-locked={op}>
                              {op}{' '}
                            </span>
                          ),
                        )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
    </>
  );
};
