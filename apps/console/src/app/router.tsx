import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

/** Where the ledger serves the console (vite.config.ts `base`); every page is a path under it. */
export const BASE = '/console/';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
const subscribe = (l: () => void) => {
  listeners.add(l);
  window.addEventListener('popstate', l);
  return () => {
    listeners.delete(l);
    window.removeEventListener('popstate', l);
  };
};

/** The page (the path under BASE, e.g. "day") and its query, re-rendered on navigation. */
export const useLocation = (): { page: string; params: URLSearchParams } => {
  const href = useSyncExternalStore(subscribe, () => location.pathname + location.search);
  const url = new URL(href, location.origin);
  const page = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length).replace(/\/$/, '') : '';
  return { page, params: url.searchParams };
};

export const navigate = (to: string, replace = false): void => {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
};

/** Changes the current page's query (e.g. the business day), so that a page is a link one can share. */
export const setParams = (fields: Record<string, string | undefined>): void => {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(fields)) {
    if (v) url.searchParams.set(k, v);
    else url.searchParams.delete(k);
  }
  navigate(url.pathname + url.search, true);
};

export const pageHref = (page: string, params?: Record<string, string | undefined>): string => {
  const q = new URLSearchParams(Object.entries(params ?? {}).filter((f): f is [string, string] => !!f[1]));
  return `${BASE}${page}${q.size ? `?${q}` : ''}`;
};

/** An ordinary link (opens in a new tab with a modifier key) that navigates in place otherwise. */
export const Link = ({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) => (
  <a
    href={href}
    onClick={(e: MouseEvent<HTMLAnchorElement>) => {
      onClick?.(e);
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(href);
    }}
    {...rest}
  />
);
