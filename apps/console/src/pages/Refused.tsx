import { Link, pageHref } from '../app/router';
import { useSession } from '../app/session';
import { refusal } from '../app/ui';

/** What the ledger (or the console, for a role that may not) refused, and what to do about it. */
export const RefusedPage = () => {
  const { session } = useSession();
  const r = refusal();
  return (
    <section aria-labelledby="refused-title">
      <h1 id="refused-title">Not allowed</h1>
      <p className="error" role="alert">
        {r ? (
          <>
            <strong>{r.action}</strong> was refused: {r.message} {r.code && <code>{r.code}</code>}
          </>
        ) : (
          'That action was refused.'
        )}
      </p>
      <p>
        You are signed in as {session?.name} with the role <strong>{session && session.roles.join(', ')}</strong>
        {r?.need ? (
          <>
            ; this needs the role <strong>{r.need}</strong>
          </>
        ) : null}
        . Nothing was changed. Ask someone with that role, or sign in with a token that holds it.
      </p>
      <p>
        <Link href={pageHref('day')}>Back to the business day</Link>
      </p>
    </section>
  );
};
