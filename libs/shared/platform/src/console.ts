import { existsSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { NextFunction, Request, Response } from 'express';

/** Where the console's files are by default: `apps/console/dist` of the workspace (or the image) this bundle runs from. */
export const defaultConsoleDir = (from: string = __dirname): string => {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return join(dir, 'apps', 'console', 'dist');
  return resolve('apps', 'console', 'dist');
};

export const CONSOLE_PATH = '/console/';

/**
 * What the console's pages may load: their own origin only, no inline script, no frames. Images
 * and fonts may also be data: URLs (the bundler inlines small ones); styles set from script (a
 * chart's canvas size) are CSSOM, which style-src does not govern.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const HARDENING: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
};

/** How long a browser keeps a file: hashed assets for a year (a new build has new names), the page itself never. */
export const cacheControlOf = (relative: string): string =>
  relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : extname(relative) === '.html' ? 'no-store' : 'no-cache';

/**
 * The file a path under /console/ names, relative to the console's directory: `index.html` for
 * the root, undefined for one that climbs out or is not a plain path (`..`, a NUL, a backslash).
 */
export const consoleFileOf = (pathUnderConsole: string): string | undefined => {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathUnderConsole);
  } catch {
    return undefined;
  }
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.' || s.includes('\\') || s.includes('\0'))) return undefined;
  return segments.length === 0 ? 'index.html' : segments.join('/');
};

const page = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>\n`;

const NOT_BUILT = page('The console is not built', 'This ledger serves its web console from a directory that holds no console: build it with <code>npm run build</code> (or point <code>LEDGER_CONSOLE_DIR</code> at one), then reload.');
const NOT_FOUND = page('Not found', 'No such file in the console. <a href="/console/">Back to the console</a>.');

/**
 * Serves the console: its files under /console/ (index.html for any path that names no file, so
 * that the console's own routes load on a reload), `/` redirected there. A missing directory is
 * a clear 404 page, not a failed start: the API works without its console.
 */
export const consoleMiddleware = (dir: string) => {
  const root = resolve(dir);
  const index = join(root, 'index.html');
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const [pathname, query] = splitUrl(req.originalUrl);
    if (pathname === '/' || pathname === '/console') return res.redirect(302, `${CONSOLE_PATH}${query}`);
    if (!pathname.startsWith(CONSOLE_PATH)) return next();
    for (const [name, value] of Object.entries(HARDENING)) res.setHeader(name, value);
    const send = (status: number, html: string) => void res.status(status).setHeader('Cache-Control', 'no-store').type('html').send(html);
    if (!existsSync(index)) return send(404, NOT_BUILT);
    const relative = consoleFileOf(pathname.slice(CONSOLE_PATH.length));
    if (relative === undefined) return send(404, NOT_FOUND);
    const file = join(root, relative);
    const isFile = file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile();
    // A path with an extension names a file: a missing asset is a 404, never the page in its place.
    if (!isFile && extname(relative) !== '') return send(404, NOT_FOUND);
    const served = isFile ? relative : 'index.html';
    res.setHeader('Cache-Control', cacheControlOf(served));
    res.sendFile(join(root, served), { cacheControl: false, dotfiles: 'deny' }, (e) => {
      if (e && !res.headersSent) send(404, NOT_FOUND);
    });
  };
};

const splitUrl = (url: string): [string, string] => {
  const at = url.indexOf('?');
  return at < 0 ? [url, ''] : [url.slice(0, at), url.slice(at)];
};
