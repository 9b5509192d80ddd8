import type { ReactNode } from 'react';
import { get } from '../app/api';
import { formatCount } from '../app/format';
import type { HealthView } from '../app/types';
import { Badge, ErrorNote, Loading, TableBox, Time, useLoad, Head } from '../app/ui';

const checkText = (v: unknown): string => (typeof v === 'object' && v !== null ? (((v as Record<string, unknown>).status as string | undefined) ?? JSON.stringify(v)) : String(v));

/** One part of the health page: a heading and its table. */
const Block = ({ title, cols, empty, children }: { title: string; cols: readonly string[]; empty?: string; children: ReactNode }) => (
  <section aria-label={title}>
    <h2>{title}</h2>
    {empty ? (
      <p>{empty}</p>
    ) : (
      <TableBox label={title}>
        <table>
          <Head cols={cols} />
          <tbody>{children}</tbody>
        </table>
      </TableBox>
    )}
  </section>
);

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
          <Block title="Services" cols={['Service', 'Ready', 'Checks']}>
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
          </Block>
          <Block title="Consumer lag" cols={['Group', 'Topic', 'Partition', 'Lag']}>
            {d.consumers.map((c) => (
              <tr key={`${c.group}/${c.topic}/${c.partition ?? ''}`}>
                <td>{c.group}</td>
                <td>{c.topic}</td>
                <td className="num">{c.partition ?? 'all'}</td>
                <td className="num">{formatCount(c.lag)}</td>
              </tr>
            ))}
          </Block>
          <Block title="Outbox backlog" cols={['Service', 'Waiting to publish']}>
            {d.outbox.map((o) => (
              <tr key={o.service}>
                <td>{o.service}</td>
                <td className="num">{formatCount(o.backlog)}</td>
              </tr>
            ))}
          </Block>
          <Block title="Dead letters" cols={['Topic', 'Messages']} empty={d.deadLetters.length === 0 ? 'No dead-letter topic.' : undefined}>
            {d.deadLetters.map((x) => (
              <tr key={x.topic} data-topic={x.topic}>
                <td>{x.topic}</td>
                <td className="num">{x.count ? <Badge tone="bad">{formatCount(x.count)}</Badge> : formatCount(x.count)}</td>
              </tr>
            ))}
          </Block>
        </div>
      )}
    </>
  );
};
