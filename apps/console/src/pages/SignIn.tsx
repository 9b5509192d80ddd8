import { type FormEvent, useState } from 'react';
import { ApiError } from '../app/api';
import { useSession } from '../app/session';

const why = (err: unknown): string => {
  if (err instanceof ApiError && err.status === 401) return 'That token was not accepted: it is unknown, revoked or mistyped.';
  if (err instanceof ApiError && err.status === 429) return 'Too many failed sign-ins from here: wait a moment, then try again.';
  if (err instanceof ApiError) return err.message;
  return 'The ledger could not be reached.';
};

/** Sign-in with a back-office token: the ledger answers a session cookie (HttpOnly) and the role. */
export const SignInPage = () => {
  const { signIn, ended } = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<{ text: string; code?: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(token.trim());
    } catch (err) {
      setError({ text: why(err), code: err instanceof ApiError ? err.code : undefined });
      setBusy(false);
    }
  };
  return (
    <div className="sign-in">
      <h1>Sign in to the ledger console</h1>
      {ended && (
        <p className="notice" role="status">
          Your session has ended (30 minutes without a request, 12 hours since sign-in, signed out elsewhere, or its token revoked). Nothing was changed by the request that found it; sign in again to go on.
        </p>
      )}
      <p>Use your back-office token (operations, finance or auditor). The console keeps it only for this sign-in: the session lives in a cookie scripts cannot read.</p>
      <form onSubmit={(e) => void submit(e)} aria-describedby={error ? 'sign-in-error' : undefined}>
        <label className="field">
          Back-office token
          <input type="password" name="token" autoComplete="off" required value={token} onChange={(e) => setToken(e.target.value)} />
        </label>
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {error && (
        <p className="error" role="alert" id="sign-in-error">
          {error.text} {error.code && <code>{error.code}</code>}
        </p>
      )}
    </div>
  );
};
