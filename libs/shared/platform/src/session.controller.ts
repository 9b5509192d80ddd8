import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { sessionAnswer, signInRequest } from '@pos/contracts';
import { DomainError } from '@pos/kernel';
import type { BackOfficeAccess, Principal } from './access';
import { SessionCaller } from './access.guard';
import { ApiContract } from './openapi';
import { Meta, parseRequest, type RequestMeta } from './request';
import { clearedSessionCookie, sessionCookie } from './session';
import { BACK_OFFICE_ACCESS } from './tokens';

interface Req {
  readonly secure?: boolean;
  readonly socket: { remoteAddress?: string };
  readonly headers: Record<string, string | string[] | undefined>;
}
interface Res {
  setHeader(name: string, value: string): void;
}

/** The cookie is `Secure` when the browser came over https: directly, or through a proxy that says so. */
const overHttps = (req: Req): boolean => req.secure === true || req.headers['x-forwarded-proto'] === 'https';

/** The console's sign-in: a back-office token once, then an HttpOnly session cookie (docs/api.md, console sessions). */
@ApiTags('console session')
@Controller('v1/session')
export class SessionController {
  constructor(@Inject(BACK_OFFICE_ACCESS) private readonly access: BackOfficeAccess) {}

  @Post()
  @HttpCode(201)
  @ApiContract({
    summary: 'Sign in to the console with a back-office token: sets the session cookie, answers the CSRF token writes must carry',
    auth: 'public',
    body: signInRequest,
    status: 201,
    answer: sessionAnswer,
    setsCookie: true,
    errors: { 401: ['ADMIN_UNAUTHENTICATED'], 429: ['SIGN_IN_RATE_LIMITED'] },
  })
  async signIn(@Body() body: unknown, @Req() req: Req, @Res({ passthrough: true }) res: Res, @Meta() meta: RequestMeta) {
    const { token } = parseRequest(signInRequest, body);
    const { cookie, answer } = await this.access.signIn(token, req.socket.remoteAddress ?? 'unknown', meta.correlationId).catch((e: unknown) => {
      if (e instanceof DomainError && e.code === 'SIGN_IN_RATE_LIMITED') res.setHeader('Retry-After', String(e.details?.retryAfterSeconds));
      throw e;
    });
    res.setHeader('Set-Cookie', sessionCookie(cookie, overHttps(req)));
    return answer;
  }

  @Get()
  @ApiContract({ summary: 'The console session the cookie names, with its CSRF token and expiry', auth: 'session', status: 200, answer: sessionAnswer, errors: {} })
  current(@SessionCaller() caller: { answer: unknown }) {
    return caller.answer;
  }

  @Delete()
  @HttpCode(204)
  @ApiContract({ summary: 'Sign out: the session is ended everywhere and its cookie cleared', auth: 'session', status: 204, errors: { 403: ['CSRF_INVALID'] } })
  async signOut(@SessionCaller() caller: { principal: Principal; cookie: string }, @Req() req: Req, @Res({ passthrough: true }) res: Res, @Meta() meta: RequestMeta) {
    await this.access.signOut(caller.cookie, caller.principal, meta.correlationId);
    res.setHeader('Set-Cookie', clearedSessionCookie(overHttps(req)));
  }
}
