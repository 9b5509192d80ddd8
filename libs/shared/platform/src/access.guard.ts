import { type CanActivate, createParamDecorator, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { SessionAnswer } from '@pos/contracts';
import type { Actor } from '@pos/kernel';
import { actorOf, adminUnauthenticated, type BackOfficeAccess, type BackOfficeRole, type Principal, type RouteAccess, sessionUnauthenticated, WRITE_ROLES } from './access';
import { EdgeErrors } from './errors';
import { CORRELATION_HEADER, correlationIdOf, type RequestMeta } from './request';
import { cookieOf, CSRF_HEADER, csrfMatches, isSafeMethod, SESSION_COOKIE } from './session';
import { BACK_OFFICE_ACCESS } from './tokens';

const ROUTE_ACCESS = 'pos:route-access';
const CALLER = Symbol('back-office caller');

/** Declares who may call a route (ApiContract does it for every documented operation). */
export const RouteAccessOf = (access: RouteAccess) => SetMetadata(ROUTE_ACCESS, access);

interface Caller {
  principal: Principal;
  role: BackOfficeRole;
  /** When the request came with the session cookie: the session and its cookie. */
  session?: { answer: SessionAnswer; cookie: string };
}

interface Req {
  method: string;
  originalUrl: string;
  route?: { path?: string };
  headers: Record<string, string | string[] | undefined>;
  [CALLER]?: Caller;
}

export const csrfInvalid = (given: boolean) =>
  EdgeErrors.CSRF_INVALID(`a request made with the session cookie must carry the session's CSRF token in header ${CSRF_HEADER}${given ? ': it does not match' : ''} (GET /v1/session answers it)`);

/**
 * Every route of every service passes here (a global guard): terminal routes go on to their
 * terminal's key, public ones (health, metrics, sign-in) through, and every other one needs a
 * back-office token with the route's role: a bearer token, or the console's session cookie,
 * which stands for the token it was signed in with. With the cookie, every request but a GET or
 * HEAD must carry the session's CSRF token (a browser sends the cookie along with a request
 * another site makes it send; only a page of ours can read the token). A use of a write role is
 * recorded before the request runs.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(BACK_OFFICE_ACCESS) private readonly access: BackOfficeAccess,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const need = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    if (need === 'public' || need === 'terminal') return true;
    const req = context.switchToHttp().getRequest<Req>();
    const { principal, session } = await this.authenticate(req, need);
    const role = this.access.authorize(principal, need);
    req[CALLER] = { principal, role, session };
    // A session's own routes are not uses: signing in and out are on record as such.
    if (need !== 'session' && (WRITE_ROLES as readonly string[]).includes(role)) {
      // Bounded as the event's contract bounds them: a path parameter of any length still gets its own refusal, not a failed record.
      const path = req.originalUrl.split('?')[0];
      const request = { method: req.method, route: (req.route?.path ?? path).slice(0, 300), path: path.slice(0, 2000) };
      await this.access.recordUse(principal, role, request, correlationIdOf(req.headers[CORRELATION_HEADER]));
    }
    return true;
  }

  /** A bearer token when the request has one (the cookie is then ignored), else the session cookie; a session's own routes take only the cookie. */
  private async authenticate(req: Req, need: RouteAccess | undefined): Promise<{ principal: Principal; session?: Caller['session'] }> {
    const header = req.headers.authorization;
    if (need !== 'session' && typeof header === 'string') return { principal: await this.access.authenticate(header) };
    const cookie = cookieOf(req.headers.cookie, SESSION_COOKIE);
    if (cookie === undefined) throw need === 'session' ? sessionUnauthenticated() : adminUnauthenticated();
    const { principal, session } = await this.access.authenticateSession(cookie);
    if (!isSafeMethod(req.method) && !csrfMatches(req.headers[CSRF_HEADER], session.csrfToken)) throw csrfInvalid(req.headers[CSRF_HEADER] !== undefined);
    return { principal, session: { answer: session, cookie } };
  }
}

export interface BackOfficeMeta extends RequestMeta {
  /** The token that called, as the actor of every event the request appends. */
  readonly actor: Actor;
}

const callerOf = (ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<Req>()[CALLER];
  if (!caller) throw new Error('a back-office parameter on a route AccessGuard did not authorise');
  return caller;
};

/** The request's correlation id and its caller (set by AccessGuard): for routes that need a back-office role. */
export const BackOffice = createParamDecorator((_: unknown, ctx: ExecutionContext): BackOfficeMeta => {
  const req = ctx.switchToHttp().getRequest<Req>();
  const caller = callerOf(ctx);
  return { correlationId: correlationIdOf(req.headers[CORRELATION_HEADER]), actor: actorOf(caller.principal, caller.role) };
});

/** The console session a `session` route was called with (set by AccessGuard). */
export const SessionCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): { principal: Principal; answer: SessionAnswer; cookie: string } => {
  const caller = callerOf(ctx);
  if (!caller.session) throw new Error('SessionCaller() on a route not called with a session');
  return { principal: caller.principal, ...caller.session };
});
