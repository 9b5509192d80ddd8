import { describe, expect, it } from 'vitest';
import { cacheControlOf, consoleFileOf, defaultConsoleDir } from './console';
import { readEnv } from './config';
import { forwardedHeaders, forwardsOf } from './forward';
import { cookieOf, csrfMatches, isSafeMethod, SESSION_IDLE_MS, SESSION_MAX_MS, sessionCookie, sessionStateAt, SignInLimiter } from './session';

const at = (iso: string) => new Date(iso);
const MINUTE = 60_000;

describe('a session at a given time', () => {
  const signedIn = at('2026-12-01T08:00:00.000Z');
  const session = { absoluteExpiresAt: new Date(signedIn.getTime() + SESSION_MAX_MS).toISOString() };
  const later = (ms: number) => new Date(signedIn.getTime() + ms);

  it('lives 30 minutes past its last request, and is written again at most once a minute', () => {
    expect(sessionStateAt(session, signedIn.toISOString(), later(30 * 1000))).toEqual({ alive: true, expiresAt: later(SESSION_IDLE_MS), touch: false });
    expect(sessionStateAt(session, signedIn.toISOString(), later(5 * MINUTE))).toEqual({ alive: true, expiresAt: later(35 * MINUTE), touch: true });
    expect(sessionStateAt(session, signedIn.toISOString(), later(SESSION_IDLE_MS - 1))).toMatchObject({ alive: true });
    expect(sessionStateAt(session, signedIn.toISOString(), later(SESSION_IDLE_MS))).toEqual({ alive: false, reason: 'idle' });
  });

  it('ends 12 hours after sign-in however busy, and its expiry never goes past that', () => {
    const seen = later(SESSION_MAX_MS - 10 * MINUTE).toISOString();
    expect(sessionStateAt(session, seen, later(SESSION_MAX_MS - 5 * MINUTE))).toEqual({ alive: true, expiresAt: later(SESSION_MAX_MS), touch: true });
    expect(sessionStateAt(session, seen, later(SESSION_MAX_MS))).toEqual({ alive: false, reason: 'expired' });
  });
});

describe('cookies and CSRF', () => {
  it('reads the session cookie among others, and neither of two of the same name', () => {
    expect(cookieOf('a=1; ledger_session=abc; b=2', 'ledger_session')).toBe('abc');
    expect(cookieOf('ledger_sessionx=1', 'ledger_session')).toBeUndefined();
    expect(cookieOf(undefined, 'ledger_session')).toBeUndefined();
    expect(cookieOf('ledger_session=a; ledger_session=b', 'ledger_session')).toBeUndefined();
  });

  it('sets an HttpOnly, SameSite=Strict cookie for the whole origin, Secure over https', () => {
    expect(sessionCookie('v', false)).toBe('ledger_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200');
    expect(sessionCookie('v', true)).toContain('; Secure;');
  });

  it('takes only the session\'s own CSRF token, and only GET and HEAD (and OPTIONS) go without', () => {
    const token = 'ab'.repeat(32);
    expect([csrfMatches(token, token), csrfMatches('cd'.repeat(32), token), csrfMatches(token.toUpperCase(), token), csrfMatches(undefined, token), csrfMatches([token], token)]).toEqual([
      true, false, false, false, false,
    ]);
    expect(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'].map(isSafeMethod)).toEqual([true, true, true, false, false, false, false]);
  });
});

describe('failed sign-ins per address', () => {
  it('refuses an address after the limit within the window, says for how long, and lets it in again once the oldest failure is out', () => {
    const limiter = new SignInLimiter(3, 10 * MINUTE);
    const t0 = at('2026-12-01T08:00:00.000Z');
    for (const m of [0, 1, 2]) {
      expect(limiter.retryAfter('10.0.0.1', new Date(t0.getTime() + m * MINUTE))).toBe(0);
      limiter.failed('10.0.0.1', new Date(t0.getTime() + m * MINUTE));
    }
    expect(limiter.retryAfter('10.0.0.1', new Date(t0.getTime() + 3 * MINUTE))).toBe(7 * 60);
    expect(limiter.retryAfter('10.0.0.2', new Date(t0.getTime() + 3 * MINUTE))).toBe(0);
    expect(limiter.retryAfter('10.0.0.1', new Date(t0.getTime() + 10 * MINUTE))).toBe(0);
  });

  it('forgets the oldest addresses beyond its bound', () => {
    const limiter = new SignInLimiter(1, MINUTE, 2);
    const now = at('2026-12-01T08:00:00.000Z');
    for (const client of ['b', 'c', 'd']) limiter.failed(client, now);
    expect(['b', 'c', 'd'].map((c) => limiter.retryAfter(c, now))).toEqual([0, 60, 60]);
  });
});

describe('the console files', () => {
  it('maps a path under /console/ to a file in its directory, and refuses one that climbs out', () => {
    expect(['', 'assets/app-1a2b.js', 'days/2026-11-24', '%2e%2e/package.json', '../x', 'a/..%2F..%2Fx', 'a\\b', '%00', '%E0%A4%A'].map(consoleFileOf)).toEqual([
      'index.html', 'assets/app-1a2b.js', 'days/2026-11-24', undefined, undefined, undefined, undefined, undefined, undefined,
    ]);
  });

  it('keeps hashed assets a year, and the page never', () => {
    expect([cacheControlOf('assets/app-1a2b.js'), cacheControlOf('index.html'), cacheControlOf('favicon.svg')]).toEqual(['public, max-age=31536000, immutable', 'no-store', 'no-cache']);
  });

  it('is apps/console/dist of the workspace by default, or LEDGER_CONSOLE_DIR', () => {
    expect(defaultConsoleDir()).toMatch(/[/\\]apps[/\\]console[/\\]dist$/);
    expect(readEnv({}).consoleDir).toBe(defaultConsoleDir());
    expect(readEnv({ LEDGER_CONSOLE_DIR: '/srv/console' }).consoleDir).toBe('/srv/console');
  });
});

describe('forwarding the other services\' routes', () => {
  it('sends the gateway /v1/admin/ and /v1/terminals/, settlement /v1/settlement/, nothing without their URLs', () => {
    const env = readEnv({ LEDGER_GATEWAY_URL: 'http://terminal-gateway:3000', LEDGER_SETTLEMENT_URL: 'https://settlement.internal' });
    expect(forwardsOf(env).map((f) => [f.service, f.prefixes, f.target.origin])).toEqual([
      ['terminal-gateway', ['/v1/admin/', '/v1/terminals/'], 'http://terminal-gateway:3000'],
      ['settlement', ['/v1/settlement/'], 'https://settlement.internal'],
    ]);
    expect(forwardsOf(readEnv({}))).toEqual([]);
    expect(() => readEnv({ LEDGER_GATEWAY_URL: 'terminal-gateway:3000' })).toThrow(/LEDGER_GATEWAY_URL must be an http\(s\) URL/);
    expect(() => readEnv({ LEDGER_SETTLEMENT_URL: 'http://s:3000/?x=1' })).toThrow(/LEDGER_SETTLEMENT_URL/);
  });

  it('passes cookie, CSRF token and correlation id on, drops hop-by-hop headers, and says who the client was', () => {
    const out = forwardedHeaders(
      { host: 'console.example', cookie: 'ledger_session=x', 'x-csrf-token': 'ab', 'x-correlation-id': 'c-1', connection: 'keep-alive, x-hop', 'x-hop': '1', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', 'content-length': '2' },
      '10.0.0.9',
      true,
    );
    expect(out).toEqual({
      cookie: 'ledger_session=x', 'x-csrf-token': 'ab', 'x-correlation-id': 'c-1', 'content-length': '2',
      'x-forwarded-for': '10.0.0.9', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'console.example',
    });
    expect(forwardedHeaders({ 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https' }, '10.0.0.9', false)).toMatchObject({ 'x-forwarded-for': '1.2.3.4, 10.0.0.9', 'x-forwarded-proto': 'https' });
  });
});
