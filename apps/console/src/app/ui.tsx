import { createContext, type DependencyList, type ReactNode, type SelectHTMLAttributes, useCallback, useContext, useEffect, useId, useMemo, useRef, useState } from 'react';
import { ApiError, get } from './api';
import { DEFAULT_TIME_ZONE, formatAmount, formatCount, formatTime, humanCode, utcTitle } from './format';
import { navigate, pageHref } from './router';
import type { TerminalList, TerminalView } from './types';

export interface Loaded<T> {
  readonly data?: T;
  readonly error?: unknown;
  readonly loading: boolean;
  reload(): void;
}

/**
 * What an API read answers, loaded again when `deps` change, on `reload()`, and every `refreshMs`
 * when given (a live page). A newer answer always wins over an older one still in flight.
 */
export const useLoad = <T,>(load: () => Promise<T>, deps: DependencyList, options: { refreshMs?: number; skip?: boolean } = {}): Loaded<T> => {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: !options.skip });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    if (options.skip) return;
    const run = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => run === latest.current && setState({ data, loading: false }),
      (error: unknown) => run === latest.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
    // The caller names what the load depends on (deps), as with useEffect.
  }, [...deps, tick, options.skip]);
  useEffect(() => {
    if (!options.refreshMs) return;
    const timer = setInterval(() => setTick((t) => t + 1), options.refreshMs);
    return () => clearInterval(timer);
  }, [options.refreshMs]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, loading: state.loading, reload };
};

/** An amount in minor units, formatted for its currency. */
export const Amount = ({ minor, currency }: { minor: string | bigint; currency: string }) => <span className="num">{formatAmount(minor, currency)}</span>;

export const Count = ({ n }: { n: number }) => <span className="num">{formatCount(n)}</span>;

/** An instant in the merchant's zone, UTC on hover. */
export const Time = ({ at, zone }: { at: string | undefined; zone?: string }) =>
  at ? (
    <time dateTime={at} title={utcTitle(at)}>
      {formatTime(at, zone)}
    </time>
  ) : (
    <span aria-label="none">—</span>
  );

/** An API refusal or failure, said plainly with its stable code. */
export const ErrorNote = ({ error, what }: { error: unknown; what?: string }) => {
  if (!error) return null;
  const e = error instanceof ApiError ? error : undefined;
  return (
    <div className="error" role="alert">
      <strong>{what ?? 'The ledger refused this'}:</strong> {e ? e.message : String(error)} {e && <code>{e.code}</code>}
    </div>
  );
};

export const Loading = ({ what }: { what: string }) => (
  <p className="muted" role="status">
    Loading {what}…
  </p>
);

/** A table that scrolls sideways on a narrow screen, reachable by keyboard. */
export const TableBox = ({ label, children }: { label: string; children: ReactNode }) => (
  <div className="table-box" role="region" aria-label={label} tabIndex={0}>
    {children}
  </div>
);

export const Badge = ({ tone, children }: { tone: 'good' | 'bad' | 'warn' | 'plain'; children: ReactNode }) => <span className={`badge ${tone}`}>{children}</span>;

export const Code = ({ code }: { code: string }) => <span title={code}>{humanCode(code)}</span>;

/** The business day a page shows. */
export const DayPicker = ({ value, onChange }: { value: string; onChange(day: string): void }) => (
  <label className="field">
    Business day
    <input type="date" value={value} required onChange={(e) => e.target.value && onChange(e.target.value)} />
  </label>
);

/** What a refused action was, shown by the refused page. */
export interface Refusal {
  readonly action: string;
  readonly code: string;
  readonly message: string;
  readonly need?: string;
}
let lastRefusal: Refusal | undefined;
export const refusal = (): Refusal | undefined => lastRefusal;
/** Records what was refused, for a page that shows the refusal in place. */
export const noteRefusal = (r: Refusal): void => {
  lastRefusal = r;
};
/** Shows the refused page for an action the ledger would not do (a 403), or rethrows anything else. */
export const refuse = (r: Refusal): void => {
  lastRefusal = r;
  navigate(pageHref('refused'));
};
export const refusedOr = (action: string, err: unknown): unknown => {
  if (err instanceof ApiError && err.refused) {
    refuse({ action, code: err.code, message: err.message });
    return undefined;
  }
  return err;
};

// The merchants' time zones, from the terminal list (docs/api.md: each terminal answers its merchant's zone).
interface Zones {
  readonly terminals: readonly TerminalView[] | undefined;
  ofTerminal(terminalId: string | undefined): string;
  ofMerchant(merchantId: string | undefined): string;
  reload(): void;
}
const ZonesContext = createContext<Zones | undefined>(undefined);
export const ZonesProvider = ({ children }: { children: ReactNode }) => {
  const list = useLoad(() => get<TerminalList>('/v1/admin/terminals'), []);
  const value = useMemo<Zones>(() => {
    const byTerminal = new Map(list.data?.terminals.map((t) => [t.terminalId, t.timeZone]));
    const byMerchant = new Map(list.data?.terminals.map((t) => [t.merchantId, t.timeZone]));
    return {
      terminals: list.data?.terminals,
      ofTerminal: (id) => (id && byTerminal.get(id)) || DEFAULT_TIME_ZONE,
      ofMerchant: (id) => (id && byMerchant.get(id)) || DEFAULT_TIME_ZONE,
      reload: list.reload,
    };
  }, [list.data, list.reload]);
  return <ZonesContext.Provider value={value}>{children}</ZonesContext.Provider>;
};
export const useZones = (): Zones => {
  const z = useContext(ZonesContext);
  if (!z) throw new Error('useZones outside ZonesProvider');
  return z;
};

/** A labelled select: the label names it alone (not its options), for people and for getByLabel alike. */
export const Select = ({ label, children, ...rest }: SelectHTMLAttributes<HTMLSelectElement> & { label: string }) => {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...rest}>
        {children}
      </select>
    </div>
  );
};

/** A table's column headings. */
export const Head = ({ cols }: { cols: readonly ReactNode[] }) => (
  <thead>
    <tr>
      {cols.map((c, i) => (
        <th scope="col" key={i}>
          {c}
        </th>
      ))}
    </tr>
  </thead>
);

/**
 * A write the person asked for: busy while it runs, its refusal said in place (or, for a
 * role that may not, the refused page). Answers undefined when it did not happen.
 */
export const useAction = <A extends unknown[], T>(what: string, act: (...args: A) => Promise<T>) => {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async (...args: A): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await act(...args);
    } catch (err) {
      setError(refusedOr(what, err));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
};
