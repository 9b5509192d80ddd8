import { Agent as HttpAgent, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { errorBody } from './error.filter';
import { EdgeErrors } from './errors';

/** Requests under `prefixes` go to the service at `target` (the reconciliation app in front of the microservices). */
export interface Forward {
  readonly service: string;
  readonly prefixes: readonly string[];
  readonly target: URL;
}

/** The forwards the reconciliation app makes, from LEDGER_GATEWAY_URL and LEDGER_SETTLEMENT_URL: the console's one origin for every route. */
export const forwardsOf = (urls: { gatewayUrl?: string; settlementUrl?: string }): Forward[] => [
  ...(urls.gatewayUrl ? [{ service: 'terminal-gateway', prefixes: ['/v1/admin/', '/v1/terminals/'], target: new URL(urls.gatewayUrl) }] : []),
  ...(urls.settlementUrl ? [{ service: 'settlement', prefixes: ['/v1/settlement/'], target: new URL(urls.settlementUrl) }] : []),
];

/** Headers of one hop only (RFC 9110 §7.6.1), never passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

/** A request's headers as the next hop gets them: hop-by-hop ones dropped, the client's address and scheme added. */
export const forwardedHeaders = (headers: IncomingHttpHeaders, client: string | undefined, encrypted: boolean): IncomingHttpHeaders => {
  const named = new Set((typeof headers.connection === 'string' ? headers.connection : '').split(',').map((h) => h.trim().toLowerCase()));
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && !named.has(name) && name !== 'host') out[name] = value;
  if (client) out['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${client}` : client;
  out['x-forwarded-proto'] ??= encrypted ? 'https' : 'http';
  if (headers.host) out['x-forwarded-host'] ??= headers.host;
  return out;
};

const matches = (url: string, prefix: string) => url.startsWith(prefix) || url === prefix.slice(0, -1) || url.startsWith(`${prefix.slice(0, -1)}?`);

interface Routed {
  route?: { path?: string };
}

/**
 * Streams a matching request to its service and the answer back, byte for byte: method, path,
 * query, body, cookie and CSRF header, correlation id, status and headers. It runs before the
 * body parser, so a body is never parsed and written again. A service that does not answer is
 * a 502 UPSTREAM_UNREACHABLE in the usual error shape.
 */
export const forwardMiddleware = (forwards: readonly Forward[], logger: { warn(obj: object, msg: string): void }) => {
  const agents = new Map(forwards.map((f) => [f, f.target.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true })]));
  return (req: IncomingMessage & Routed, res: ServerResponse, next: () => void): void => {
    const url = req.url ?? '/';
    const forward = forwards.find((f) => f.prefixes.some((p) => matches(url, p)));
    if (!forward) return next();
    // For the request metrics and log line: which service answered.
    req.route = { path: `forwarded to ${forward.service}` };
    const { target } = forward;
    const upstream = (target.protocol === 'https:' ? httpsRequest : httpRequest)({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: `${target.pathname.replace(/\/$/, '')}${url}`,
      headers: { ...forwardedHeaders(req.headers, req.socket.remoteAddress, 'encrypted' in req.socket && req.socket.encrypted === true), host: target.host },
      agent: agents.get(forward),
    });
    upstream.setTimeout(120_000, () => upstream.destroy(new Error(`${forward.service} did not answer in 120 s`)));
    upstream.on('response', (answer) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    });
    upstream.on('error', (e) => {
      logger.warn({ err: e, service: forward.service, url }, 'a forwarded request failed');
      if (res.headersSent) return void res.destroy(e);
      const { spec } = EdgeErrors.UPSTREAM_UNREACHABLE;
      res.writeHead(502, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(errorBody(spec.code, `the ${forward.service} service did not answer; retry`, spec.responseCode)));
    });
    // The client went away: so does the request on its behalf.
    res.on('close', () => res.writableFinished || upstream.destroy());
    req.pipe(upstream);
  };
};
