import { type FormEvent, useRef, useState } from 'react';
import { ApiError, get, post, query, upload } from '../app/api';
import { currentBusinessDay } from '../app/format';
import { setParams, useLocation } from '../app/router';
import { useSession } from '../app/session';
import {
  AGE_BUCKETS, type Break, BREAK_TYPES, type Breaks, type BreakResolution, type ClearingFiles, type ClearingImport, MANUAL_RESOLUTIONS, type ReconcileDay,
  type ReconciliationReport,
} from '../app/types';
import { Amount, Badge, Code, Count, DayPicker, ErrorNote, Loading, refusedOr, TableBox, Time, useLoad, useZones, Select, Head, useAction } from '../app/ui';

interface LineError {
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

const Upload = ({ onImported }: { onImported(): void }) => {
  const file = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<{ sent: number; total: number }>();
  const [answer, setAnswer] = useState<ClearingImport>();
  const [refused, setRefused] = useState<{ message: string; errors: LineError[] }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const chosen = file.current?.files?.[0];
    if (!chosen) return;
    setBusy(true);
    setAnswer(undefined);
    setRefused(undefined);
    setError(undefined);
    setProgress({ sent: 0, total: chosen.size });
    try {
      setAnswer(await upload<ClearingImport>('/v1/reconciliation/clearing-files', chosen, 'text/csv', (sent, total) => setProgress({ sent, total })));
      onImported();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'CLEARING_FILE_REJECTED') setRefused({ message: err.message, errors: (err.details?.errors as LineError[] | undefined) ?? [] });
      else setError(refusedOr('Importing a clearing file', err));
    } finally {
      setBusy(false);
    }
  };
  const percent = progress && progress.total > 0 ? Math.round((100 * progress.sent) / progress.total) : 0;
  return (
    <section aria-labelledby="upload-title">
      <h2 id="upload-title">Import a clearing file</h2>
      <form className="actions" onSubmit={(e) => void submit(e)}>
        <label className="field">
          Clearing file (CSV)
          <input ref={file} type="file" name="clearing-file" accept=".csv,text/csv" required />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Uploading…' : 'Upload'}
        </button>
      </form>
      {progress && (
        <p>
          <label>
            Upload progress <progress max={100} value={percent} aria-valuetext={`${percent}%`} /> {percent}%
          </label>
        </p>
      )}
      <div role="status" aria-live="polite">
        {answer && (
          <p className="good">
            {answer.status === 'IMPORTED' ? 'Imported' : 'Already imported (nothing changed)'}: {answer.fileReference} from {answer.acquirerId}, business day {answer.businessDay},{' '}
            <Count n={answer.records} /> records and <Count n={answer.batchLines} /> batch lines.
          </p>
        )}
      </div>
      <ErrorNote error={error} what="Not imported" />
      {refused && (
        <div className="error" role="alert">
          <p>
            <strong>The file was refused whole</strong> ({refused.errors.length} lines): nothing was imported. <code>CLEARING_FILE_REJECTED</code>
          </p>
          <TableBox label="Refused lines">
            <table>
              <caption>Lines refused</caption>
              <Head cols={['Line', 'Code', 'Reason']} />
              <tbody>
                {refused.errors.map((e, i) => (
                  <tr key={i}>
                    <td>{e.line}</td>
                    <td>
                      <code>{e.code}</code>
                    </td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableBox>
        </div>
      )}
    </section>
  );
};

const Reconcile = ({ day, onRun }: { day: string; onRun(): void }) => {
  const [run, setRun] = useState<ReconcileDay>();
  const { busy, error, run: go } = useAction(`Reconciling ${day}`, async () => {
    setRun(await post<ReconcileDay>(`/v1/reconciliation/days/${day}/reconcile`, {}));
    onRun();
  });
  return (
    <>
      <button type="button" disabled={busy} onClick={() => void go()}>
        {busy ? 'Reconciling…' : `Reconcile ${day}`}
      </button>
      <div role="status" aria-live="polite">
        {run && (
          <p>
            Run finished: {run.files.length} files, <Count n={run.acquirerRecords} /> acquirer records against <Count n={run.hostTransactions} /> host transactions,{' '}
            {run.breaks.length} breaks ({run.breaks.filter((b) => b.isNew).length} new), {run.clearedBreaks} cleared, {run.openBreaks} open.{' '}
            {run.reconciled ? 'The day is reconciled.' : ''}
          </p>
        )}
      </div>
      <ErrorNote error={error} what="Not reconciled" />
    </>
  );
};

const statusTone = (s: Break['status']) => (s === 'RESOLVED' ? 'good' : s === 'ASSIGNED' ? 'warn' : 'bad');

const BreakActions = ({ b, onChanged }: { b: Break; onChanged(next: Break): void }) => {
  const [mode, setMode] = useState<'assign' | 'resolve'>();
  const [assignee, setAssignee] = useState('');
  const [reason, setReason] = useState<BreakResolution>('ACQUIRER_CORRECTED');
  const [note, setNote] = useState('');
  const { busy, error, run } = useAction(mode === 'assign' ? 'Assigning a break' : 'Resolving a break', async () => {
    const next = await post<Break>(`/v1/reconciliation/breaks/${b.breakId}/${mode}`, mode === 'assign' ? { assignee, ...(note ? { note } : {}) } : { reason, note });
    setMode(undefined);
    setNote('');
    onChanged({ ...next, age: b.age });
  });
  const act = (e: FormEvent) => {
    e.preventDefault();
    void run();
  };
  if (b.status === 'RESOLVED') return null;
  if (!mode)
    return (
      <div className="row-actions">
        {b.status === 'OPEN' && (
          <button type="button" className="small" onClick={() => setMode('assign')}>
            Assign
          </button>
        )}
        <button type="button" className="small" onClick={() => setMode('resolve')}>
          Resolve
        </button>
      </div>
    );
  const id = `f-${b.breakId}`;
  return (
    <form className="stack" onSubmit={act} aria-label={mode === 'assign' ? 'Assign the break' : 'Resolve the break'}>
      {mode === 'assign' ? (
        <label className="field" htmlFor={`${id}-who`}>
          Assignee
          <input id={`${id}-who`} required maxLength={128} value={assignee} onChange={(e) => setAssignee(e.target.value)} />
        </label>
      ) : (
        <Select label="Reason" value={reason} onChange={(e) => setReason(e.target.value as BreakResolution)}>
            {MANUAL_RESOLUTIONS.map((r) => (
              <option key={r} value={r}>
                {r.toLowerCase().replace(/_/g, ' ')}
              </option>
            ))}
          </Select>
      )}
      <label className="field" htmlFor={`${id}-note`}>
        Note
        <textarea id={`${id}-note`} required={mode === 'resolve'} maxLength={2000} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div className="row-actions">
        <button type="submit" className="small" disabled={busy}>
          {mode === 'assign' ? 'Assign break' : 'Resolve break'}
        </button>
        <button type="button" className="small quiet" onClick={() => setMode(undefined)}>
          Cancel
        </button>
      </div>
      <ErrorNote error={error} what="Not changed" />
    </form>
  );
};

const History = ({ b, zone }: { b: Break; zone: string }) => (
  <details>
    <summary>History ({b.history.length})</summary>
    <ol className="history">
      {b.history.map((h, i) => (
        <li key={i}>
          <Time at={h.at} zone={zone} /> <Code code={h.type.replace(/^ReconciliationBreak/, '')} /> by {h.actor.name ?? h.actor.id}
          {h.actor.role ? ` (${h.actor.role})` : ''}
          {h.note ? `: ${h.note}` : ''}
        </li>
      ))}
    </ol>
  </details>
);

const amounts = (b: Break) =>
  b.currency ? (
    <>
      {b.hostAmount !== undefined && (
        <div>
          host <Amount minor={b.hostAmount} currency={b.currency} />
        </div>
      )}
      {b.acquirerAmount !== undefined && (
        <div>
          acquirer <Amount minor={b.acquirerAmount} currency={b.currency} />
        </div>
      )}
      {b.terminalAmount !== undefined && (
        <div>
          terminal <Amount minor={b.terminalAmount} currency={b.currency} />
        </div>
      )}
    </>
  ) : (
    '—'
  );

/** Clearing files, the day's reconciliation and its breaks queue (finance writes; the others read). */
export const ClearingPage = () => {
  const { params } = useLocation();
  const { can } = useSession();
  const zones = useZones();
  const finance = can('finance');
  const day = params.get('day') ?? currentBusinessDay();
  const f = { type: params.get('type') ?? '', status: params.get('status') ?? '', age: params.get('age') ?? '', merchant: params.get('merchant') ?? '' };
  const [changed, setChanged] = useState<Record<string, Break>>({});

  // The report is live: the day turns reconciled once the projection has seen the last resolution.
  const report = useLoad(() => get<ReconciliationReport>(`/v1/reconciliation/reconciliation-report${query({ businessDay: day })}`), [day], { refreshMs: 3000 });
  const files = useLoad(() => get<ClearingFiles>(`/v1/reconciliation/clearing-files${query({ businessDay: day })}`), [day]);
  const breaks = useLoad(
    () => get<Breaks>(`/v1/reconciliation/breaks${query({ businessDay: day, type: f.type || undefined, status: f.status || undefined })}`).finally(() => setChanged({})),
    [day, f.type, f.status],
  );
  const shown = (breaks.data?.breaks ?? [])
    .map((b) => changed[b.breakId] ?? b)
    .filter((b) => (!f.age || b.age.bucket === f.age) && (!f.merchant || b.merchantId === f.merchant) && (!f.status || b.status === f.status));
  const merchants = [...new Set(breaks.data?.breaks.map((b) => b.merchantId))].sort();
  const r = report.data;
  const reconciled = !!r?.reconciledAt && r.breaks.open === 0;

  return (
    <>
      <h1>Clearing and breaks</h1>
      <div className="filters">
        <DayPicker value={day} onChange={(d) => setParams({ day: d })} />
      </div>
      <section aria-labelledby="rec-title">
        <h2 id="rec-title">Reconciliation of {day}</h2>
        <div role="status" aria-live="polite" className="day-state">
          {!r && report.loading && 'Loading the reconciliation report…'}
          {r && reconciled && (
            <p className="good">
              <Badge tone="good">Reconciled</Badge> Day {day} reconciled at <Time at={r.reconciledAt} zone={zones.ofMerchant(undefined)} />: {r.breaks.resolved} breaks resolved, none open.
            </p>
          )}
          {r && !reconciled && (
            <p className={r.breaks.open ? 'bad' : ''}>
              <Badge tone={r.breaks.open ? 'bad' : 'warn'}>Not reconciled</Badge> {r.breaks.open} breaks open, {r.breaks.resolved} resolved
              {r.lastRunAt ? (
                <>
                  ; last run <Time at={r.lastRunAt} />
                </>
              ) : (
                '; no run yet'
              )}
              .
            </p>
          )}
        </div>
        <ErrorNote error={report.error} what="The reconciliation report could not be read" />
        {finance && (
          <Reconcile
            day={day}
            onRun={() => {
              report.reload();
              breaks.reload();
              files.reload();
            }}
          />
        )}
      </section>
      {finance && (
        <Upload
          onImported={() => {
            files.reload();
            report.reload();
          }}
        />
      )}
      <section aria-labelledby="files-title">
        <h2 id="files-title">Clearing files of {day}</h2>
        <ErrorNote error={files.error} what="The clearing files could not be read" />
        {files.data && files.data.files.length === 0 && <p>No clearing file imported for this day.</p>}
        {files.data && files.data.files.length > 0 && (
          <TableBox label="Clearing files">
            <table>
              <Head cols={['Reference', 'Acquirer', 'Records', 'Batch lines', 'Imported']} />
              <tbody>
                {files.data.files.map((x) => (
                  <tr key={x.fileId}>
                    <td title={x.fileId}>{x.fileReference}</td>
                    <td>{x.acquirerId}</td>
                    <td><Count n={x.records} /></td>
                    <td><Count n={x.batchLines} /></td>
                    <td><Time at={x.importedAt} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableBox>
        )}
      </section>
      <section aria-labelledby="breaks-title">
        <h2 id="breaks-title">Breaks</h2>
        <form className="filters" aria-label="Filter the breaks" onSubmit={(e) => e.preventDefault()}>
          <Select label="Type" value={f.type} onChange={(e) => setParams({ type: e.target.value || undefined })}>
              <option value="">Any type</option>
              {BREAK_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t.toLowerCase().replace(/_/g, ' ')}
                </option>
              ))}
            </Select>
          <Select label="Status" value={f.status} onChange={(e) => setParams({ status: e.target.value || undefined })}>
              <option value="">Any status</option>
              <option value="OPEN">open</option>
              <option value="ASSIGNED">assigned</option>
              <option value="RESOLVED">resolved</option>
            </Select>
          <Select label="Age" value={f.age} onChange={(e) => setParams({ age: e.target.value || undefined })}>
              <option value="">Any age</option>
              {AGE_BUCKETS.map((a) => (
                <option key={a} value={a}>
                  {a.toLowerCase().replace(/_/g, ' ')}
                </option>
              ))}
            </Select>
          <Select label="Merchant" value={f.merchant} onChange={(e) => setParams({ merchant: e.target.value || undefined })}>
              <option value="">Any merchant</option>
              {merchants.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </Select>
          <button type="button" className="quiet" onClick={breaks.reload}>
            Refresh
          </button>
        </form>
        <ErrorNote error={breaks.error} what="The breaks could not be read" />
        {!breaks.data && breaks.loading && <Loading what="the breaks" />}
        {breaks.data && (
          <TableBox label="Breaks queue">
            <table className="breaks">
              <caption>{shown.length} breaks shown</caption>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Merchant / terminal</th>
                  <th scope="col">Batch / RRN</th>
                  <th scope="col">Detail</th>
                  <th scope="col">Amounts</th>
                  <th scope="col">Status</th>
                  <th scope="col">Age</th>
                  <th scope="col">{finance ? 'Action' : 'History'}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((b) => (
                  <tr key={b.breakId} data-break={b.breakId} data-status={b.status}>
                    <th scope="row">
                      <Code code={b.type} />
                    </th>
                    <td>
                      {b.merchantId}
                      <br />
                      {b.terminalId}
                    </td>
                    <td>
                      {b.batchNo ?? '—'}
                      <br />
                      {b.rrn ?? ''}
                    </td>
                    <td className="detail-text">{b.detail}</td>
                    <td>{amounts(b)}</td>
                    <td>
                      <Badge tone={statusTone(b.status)}>{b.status.toLowerCase()}</Badge>
                      {b.assignee && <div>to {b.assignee}</div>}
                      {b.resolution && <div>{b.resolution.toLowerCase().replace(/_/g, ' ')}</div>}
                    </td>
                    <td>
                      {b.age.hours} h <span className="muted">({b.age.bucket.toLowerCase().replace(/_/g, ' ')})</span>
                    </td>
                    <td>
                      {finance && (
                        <BreakActions
                          b={b}
                          onChanged={(next) => {
                            setChanged((c) => ({ ...c, [next.breakId]: next }));
                            report.reload();
                          }}
                        />
                      )}
                      <History b={b} zone={zones.ofMerchant(b.merchantId)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableBox>
        )}
      </section>
    </>
  );
};
