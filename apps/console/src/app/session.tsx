import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { request, useSessionForRequests } from './api';
import type { Role, Session } from './types';

interface SessionState {
  /** undefined while the console asks whether a session exists. */
  readonly session: Session | null | undefined;
  /** The last session ended by the ledger (idle or absolute expiry, its token revoked, signed out elsewhere). */
  readonly ended: boolean;
  signIn(token: string): Promise<void>;
  signOut(): Promise<void>;
  /** Whether the signed-in role may do a write that needs `role` (the API decides; this only hides buttons). */
  can(role: Exclude<Role, 'auditor'>): boolean;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

export const SessionProvider = ({ children }: { children: ReactNode }) => {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [ended, setEnded] = useState(false);
  // The ledger answered 401 to a signed-in page: the session ended without the person signing out.
  const signedOut = useCallback(() => {
    setSession((s) => {
      if (s) setEnded(true);
      return null;
    });
  }, []);
  const adopt = useCallback(
    (s: Session) => {
      useSessionForRequests(s.csrfToken, signedOut);
      setEnded(false);
      setSession(s);
    },
    [signedOut],
  );

  useEffect(() => {
    // No session (401) or no answer: the sign-in page says what happens next.
    request<Session>('GET', '/v1/session').then(adopt, () => setSession(null));
  }, [adopt]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      ended,
      signIn: async (token) => adopt(await request<Session>('POST', '/v1/session', { token })),
      signOut: async () => {
        try {
          await request<void>('DELETE', '/v1/session');
        } finally {
          useSessionForRequests('', () => undefined);
          setSession(null);
        }
      },
      can: (role) => !!session && session.roles.includes(role),
    }),
    [session, ended, adopt, signedOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
};

export const useSession = (): SessionState => {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
};
