// TEMPORARY, until the ledger's own sessions and /console/ serving (issue 13 part A) land on main:
// serves apps/console/dist at /console/ and stands in for /v1/session (cookie + CSRF, as the
// contract says), forwarding every other /v1 request to the real ledger with the session's token.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { workspaceRoot } from '@pos/testing';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml' };

const bodyOf = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

export const standInSession = async (ledgerUrl: string, roles: Readonly<Record<string, string>>): Promise<{ url: string; close(): Promise<void> }> => {
  const dist = join(workspaceRoot(), 'apps', 'console', 'dist');
  const sessions = new Map<string, { token: string; role: string; csrfToken: string }>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const sid = /(?:^|;\s*)ledger_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      const session = sid ? sessions.get(sid) : undefined;
      const unauthenticated = () => json(401, { error: { code: 'ADMIN_UNAUTHENTICATED', message: 'sign in first', responseCode: 'A0' } });
      if (url.pathname === '/') return res.writeHead(302, { location: '/console/' }).end();
      if (url.pathname.startsWith('/console/')) {
        const rel = normalize(url.pathname.slice('/console/'.length)).replace(/^(\.\.[/\\])+/, '');
        const file = rel && existsSync(join(dist, rel)) ? join(dist, rel) : join(dist, 'index.html');
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': "default-src 'self'" });
        return res.end(readFileSync(file));
      }
      if (url.pathname === '/v1/session') {
        const answer = (s: { role: string; csrfToken: string }) => ({ role: s.role, name: `LEDGER_${s.role.toUpperCase()}_TOKEN`, tokenId: `bootstrap-${s.role}`, csrfToken: s.csrfToken, expiresAt: new Date(Date.now() + 1_800_000).toISOString() });
        if (req.method === 'GET') return session ? json(200, answer(session)) : unauthenticated();
        if (req.method === 'DELETE') {
          if (sid) sessions.delete(sid);
          return res.writeHead(204, { 'set-cookie': 'ledger_session=; Path=/; Max-Age=0' }).end();
        }
        const { token } = JSON.parse((await bodyOf(req)).toString() || '{}') as { token?: string };
        const role = token ? roles[token] : undefined;
        if (!token || !role) return unauthenticated();
        const id = randomBytes(16).toString('hex');
        const s = { token, role, csrfToken: randomBytes(16).toString('hex') };
        sessions.set(id, s);
        return json(201, answer(s), { 'set-cookie': `ledger_session=${id}; HttpOnly; SameSite=Strict; Path=/` });
      }
      if (!session) return unauthenticated();
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.headers['x-csrf-token'] !== session.csrfToken)
        return json(403, { error: { code: 'CSRF_INVALID', message: 'missing or wrong x-csrf-token', responseCode: '58' } });
      const headers: Record<string, string> = { authorization: `Bearer ${session.token}` };
      for (const h of ['content-type', 'accept']) if (req.headers[h]) headers[h] = String(req.headers[h]);
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await bodyOf(req);
      const upstream = await fetch(`${ledgerUrl}${url.pathname}${url.search}`, { method: req.method, headers, body });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    })().catch((err: unknown) => {
      res.writeHead(502).end(String(err));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(() => done())) };
};
