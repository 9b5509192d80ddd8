import { get } from '../app/api';
import { formatCount } from '../app/format';
import type { HealthView } from '../app/types';
import { Badge, ErrorNote, Loading, TableBox, Time, useLoad } from '../app/ui';

const checkText = (v: unknown): string => (typeof v === 'object' && v !== null ? (((v as Record<string, unknown>).status as string | undefined) ?? JSON.stringify(v)) : String(v));

/** Consumer lag, outbox backlog, dead letters per topic and each service's readiness, refreshed every two seconds. */
export const HealthPage = () => {
  const h = useLoad(() => get<HealthView>('/v1/ops/health'), [], { refreshMs: 2000 });
  const d = h.data;
  return (
    <>
      <h1>Health</h1>
      <p className="muted" role="status" aria-live="off">
        Refreshed every two seconds{d && <>; last answer <Time at={d.at} /></>}.
      </p>
      <ErrorNote error={h.error} what="The health could not be read" />
      {!d && h.loading && <Loading what="the health" />}
      {d && (
        <div className="grid">
          <section aria-labelledby="h-services">
            <h2 id="h-services">Services</h2>
            <TableBox label="Services">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Service</th>
                    <th scope="col">Ready</th>
                    <th scope="col">Checks</th>
                  </tr>
                </thead>
                <tbody>
                  {d.services.map((s) => (
                    <tr key={s.name} data-service={s.name}>
                      <th scope="row">{s.name}</th>
                      <td>{s.ready ? <Badge tone="good">ready</Badge> : <Badge tone="bad">not ready</Badge>}</td>
                      <td>
                        {Object.entries(s.checks).map(([k, v]) => (
                          <div key={k}>
                            {k}: {checkText(v)}
                          </div>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableBox>
          </section>
          <section aria-labelledby="h-consumers">
            <h2 id="h-consumers">Consumer lag</h2>
            <TableBox label="Consumer lag">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Group</th>
                    <th scope="col">Topic</th>
                    <th scope="col">Partition</th>
                    <th scope="col">Lag</th>
                  </tr>
                </thead>
                <tbody>
                  {d.consumers.map((c) => (
                    <tr key={`${c.group}/${c.topic}/${c.partition ?? ''}`}>
                      <td>{c.group}</td>
                      <td>{c.topic}</td>
                      <td className="num">{c.partition ?? 'all'}</td>
                      <td className="num">{formatCount(c.lag)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableBox>
          </section>
          <section aria-labelledby="h-outbox">
            <h2 id="h-outbox">Outbox backlog</h2>
            <TableBox label="Outbox backlog">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Service</th>
                    <th scope="col">Waiting to publish</th>
                  </tr>
                </thead>
                <tbody>
                  {d.outbox.map((o) => (
                    <tr key={o.service}>
                      <td>{o.service}</td>
                      <td className="num">{formatCount(o.backlog)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableBox>
          </section>
          <section aria-labelledby="h-dlq">
            <h2 id="h-dlq">Dead letters</h2>
            {d.deadLetters.length === 0 && <p>No dead-letter topic.</p>}
            {d.deadLetters.length > 0 && (
              <TableBox label="Dead letters">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Topic</th>
                      <th scope="col">Messages</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.deadLetters.map((x) => (
                      <tr key={x.topic}>
                        <td>{x.topic}</td>
                        <td className="num">{x.count ? <Badge tone="bad">{formatCount(x.count)}</Badge> : formatCount(x.count)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableBox>
            )}
          </section>
        </div>
      )}
    </>
  );
};
