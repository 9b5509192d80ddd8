import { type CanActivate, createParamDecorator, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Actor } from '@pos/kernel';
import { actorOf, type BackOfficeAccess, type BackOfficeRole, type Principal, type RouteAccess, WRITE_ROLES } from './access';
import { CORRELATION_HEADER, correlationIdOf, type RequestMeta } from './request';
import { BACK_OFFICE_ACCESS } from './tokens';

const ROUTE_ACCESS = 'pos:route-access';
const CALLER = Symbol('back-office caller');

/** Declares who may call a route (ApiContract does it for every documented operation). */
export const RouteAccessOf = (access: RouteAccess) => SetMetadata(ROUTE_ACCESS, access);

interface Req {
  method: string;
  originalUrl: string;
  route?: { path?: string };
  headers: Record<string, string | string[] | undefined>;
  [CALLER]?: { principal: Principal; role: BackOfficeRole };
}

/**
 * Every route of every service passes here (a global guard): terminal routes go on to their
 * terminal's key, public ones (health, metrics) through, and every other one needs a back-office
 * token with the route's role. A use of a write role is recorded before the request runs.
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
    const header = req.headers.authorization;
    const principal = await this.access.authenticate(typeof header === 'string' ? header : undefined);
    const role = this.access.authorize(principal, need);
    req[CALLER] = { principal, role };
    if ((WRITE_ROLES as readonly string[]).includes(role)) {
      // Bounded as the event's contract bounds them: a path parameter of any length still gets its own refusal, not a failed record.
      const path = req.originalUrl.split('?')[0];
      const request = { method: req.method, route: (req.route?.path ?? path).slice(0, 300), path: path.slice(0, 2000) };
      await this.access.recordUse(principal, role, request, correlationIdOf(req.headers[CORRELATION_HEADER]));
    }
    return true;
  }
}

export interface BackOfficeMeta extends RequestMeta {
  /** The token that called, as the actor of every event the request appends. */
  readonly actor: Actor;
}

/** The request's correlation id and its caller (set by AccessGuard): for routes that need a back-office role. */
export const BackOffice = createParamDecorator((_: unknown, ctx: ExecutionContext): BackOfficeMeta => {
  const req = ctx.switchToHttp().getRequest<Req>();
  const caller = req[CALLER];
  if (!caller) throw new Error('BackOffice() on a route AccessGuard did not authorise');
  return { correlationId: correlationIdOf(req.headers[CORRELATION_HEADER]), actor: actorOf(caller.principal, caller.role) };
});
