import { type ReactNode, useEffect } from 'react';
import { AuditPage } from '../pages/Audit';
import { ClearingPage } from '../pages/Clearing';
import { DayPage } from '../pages/Day';
import { HealthPage } from '../pages/Health';
import { ProjectionsPage } from '../pages/Projections';
import { RefusedPage } from '../pages/Refused';
import { RegisterTerminalPage } from '../pages/RegisterTerminal';
import { SignInPage } from '../pages/SignIn';
import { TerminalsPage } from '../pages/Terminals';
import { Link, navigate, pageHref, useLocation } from './router';
import { SessionProvider, useSession } from './session';
import { ZonesProvider } from './ui';

const PAGES: readonly { page: string; title: string; render: () => ReactNode }[] = [
  { page: 'day', title: 'Business day', render: () => <DayPage /> },
  { page: 'terminals', title: 'Terminals', render: () => <TerminalsPage /> },
  { page: 'clearing', title: 'Clearing and breaks', render: () => <ClearingPage /> },
  { page: 'audit', title: 'Audit', render: () => <AuditPage /> },
  { page: 'projections', title: 'Projections', render: () => <ProjectionsPage /> },
  { page: 'health', title: 'Health', render: () => <HealthPage /> },
];
const HIDDEN: Record<string, { title: string; render: () => ReactNode }> = {
  'terminals/new': { title: 'Register a terminal', render: () => <RegisterTerminalPage /> },
  refused: { title: 'Not allowed', render: () => <RefusedPage /> },
};

const Shell = () => {
  const { session, signOut } = useSession();
  const { page, params } = useLocation();
  const current = PAGES.find((p) => p.page === page) ?? HIDDEN[page];
  const title = current?.title ?? (session ? 'Not found' : 'Sign in');

  useEffect(() => {
    document.title = `${title} · Ledger console`;
  }, [title]);
  useEffect(() => {
    // A signed-in person on the sign-in page (or at the root) goes where they were heading.
    if (session && (page === '' || page === 'sign-in')) navigate(params.get('next') ?? pageHref('day'), true);
  }, [session, page, params]);

  if (session === undefined) return <p role="status">Loading…</p>;
  if (session === null)
    return (
      <main id="main">
        <SignInPage />
      </main>
    );
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <p className="brand">Ledger console</p>
        <nav aria-label="Main">
          <ul>
            {PAGES.map((p) => (
              <li key={p.page}>
                <Link href={pageHref(p.page)} aria-current={p.page === page ? 'page' : undefined}>
                  {p.title}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            Signed in as <strong>{session.name}</strong> (<span data-role>{session.roles.join(', ')}</span>)
          </span>
          <button type="button" className="quiet" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {current ? (
          current.render()
        ) : (
          <>
            <h1>Not found</h1>
            <p>
              There is no page here. <Link href={pageHref('day')}>Go to the business day</Link>.
            </p>
          </>
        )}
      </main>
    </>
  );
};

export const App = () => (
  <SessionProvider>
    <SignedInData>
      <Shell />
    </SignedInData>
  </SessionProvider>
);

/** Data every page shares (the merchants' time zones), loaded once signed in. */
const SignedInData = ({ children }: { children: ReactNode }) => {
  const { session } = useSession();
  return session ? <ZonesProvider>{children}</ZonesProvider> : <>{children}</>;
};
