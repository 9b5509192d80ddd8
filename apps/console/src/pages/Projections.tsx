import { useState } from 'react';
import { get, post } from '../app/api';
import { formatCount, shortHash } from '../app/format';
import { useSession } from '../app/session';
import type { Projections, ProjectionView } from '../app/types';
import { Badge, ErrorNote, Loading, TableBox, Time, useAction, useLoad } from '../app/ui';

const Rebuild = ({ p, onStarted }: { p: ProjectionView; onStarted(): void }) => {
  const { busy, error, run: start } = useAction(`Rebuilding ${p.name}`, async () => {
    await post(`/v1/ops/projections/${encodeURIComponent(p.name)}/rebuild`);
    onStarted();
  });
  return (
    <>
      <button type="button" className="small" disabled={busy || p.state === 'REBUILDING'} onClick={() => void start()}>
        Rebuild {p.name}
      </button>
      <ErrorNote error={error} what="Not started" />
    </>
  );
};

const Progress = ({ p }: { p: ProjectionView }) => {
  const r = p.rebuild;
  if (!r) return <span className="muted">never rebuilt</span>;
  const percent = r.total > 0 ? Math.min(100, Math.round((100 * r.processed) / r.total)) : r.finishedAt ? 100 : 0;
  return (
    <div>
      <label>
        <span className="sr-only">Rebuild of {p.name}: </span>
        <progress max={100} value={percent} aria-valuetext={`${percent}%`} /> {formatCount(r.processed)} / {formatCount(r.total)} events
      </label>
      <div>
        {r.result === 'SWAPPED' && <Badge tone="good">Swapped</Badge>}
        {r.result === 'FAILED' && <Badge tone="bad">Failed</Badge>}
        {!r.result && <Badge tone="warn">Rebuilding{r.phase ? `: ${r.phase}` : ''}</Badge>}
        {r.generation !== undefined && ` generation ${r.generation}`} started <Time at={r.startedAt} />
        {r.finishedAt && (
          <>
            , finished <Time at={r.finishedAt} />
          </>
        )}
        {r.error && (
          <div className="error">
            {r.errorCode && <code>{r.errorCode}</code>} {r.error}
          </div>
        )}
      </div>
    </div>
  );
};

/** The projections with their live generation, lag and digest; operations rebuild one and watch it swap. */
export const ProjectionsPage = () => {
  const { can } = useSession();
  // Watched closely while a rebuild runs, and just after one is asked for (before the list shows it).
  const [startedAt, setStartedAt] = useState(0);
  const [rebuilding, setRebuilding] = useState(false);
  const fast = rebuilding || Date.now() - startedAt < 10_000;
  const list = useLoad(
    () =>
      get<Projections>('/v1/ops/projections').then((a) => {
        setRebuilding(a.projections.some((p) => p.state === 'REBUILDING'));
        return a;
      }),
    [],
    { refreshMs: fast ? 500 : 5000 },
  );
  const operations = can('operations');
  return (
    <>
      <h1>Projections</h1>
      <p className="muted">Refreshed every {fast ? 'half second while a rebuild runs' : 'five seconds'}.</p>
      <ErrorNote error={list.error} what="The projections could not be read" />
      {!list.data && list.loading && <Loading what="the projections" />}
      {list.data && (
        <TableBox label="Projections">
          <table>
            <thead>
              <tr>
                <th scope="col">Projection</th>
                <th scope="col">Service</th>
                <th scope="col">State</th>
                <th scope="col">Generation</th>
                <th scope="col">Position</th>
                <th scope="col">Lag (events)</th>
                <th scope="col">Digest</th>
                <th scope="col">Last rebuild</th>
                {operations && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {list.data.projections.map((p) => (
                <tr key={`${p.service}/${p.name}`} data-projection={p.name} data-generation={p.generation}>
                  <th scope="row">
                    {p.name}
                    {p.description && <div className="muted small-text">{p.description}</div>}
                  </th>
                  <td>{p.service}</td>
                  <td>
                    <Badge tone={p.state === 'LIVE' ? 'good' : 'warn'}>{p.state.toLowerCase()}</Badge>
                  </td>
                  <td className="num">
                    {p.generation}
                    {p.documents !== undefined && <div className="muted">{formatCount(p.documents)} documents</div>}
                  </td>
                  <td className="num">{p.position}</td>
                  <td className="num">{formatCount(p.lagEvents)}</td>
                  <td>
                    <code title={p.digest}>{shortHash(p.digest)}</code>
                  </td>
                  <td>
                    <Progress p={p} />
                  </td>
                  {operations && (
                    <td>
                      <Rebuild p={p} onStarted={() => {
                          setStartedAt(Date.now());
                          list.reload();
                        }} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
    </>
  );
};
