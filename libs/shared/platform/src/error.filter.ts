import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { type ErrorCategory, isDomainError } from '@pos/kernel';
import type { Logger } from 'pino';
import { toJsonSafe } from '@pos/eventing';
import type { LedgerMetrics } from './metrics';

const STATUS: Record<ErrorCategory, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  state: 409,
  internal: 500,
};

interface Res {
  status(code: number): Res;
  json(body: unknown): void;
}

export const errorBody = (code: string, message: string, responseCode: string, details?: unknown) => ({
  error: { code, message, responseCode, ...(details ? { details: toJsonSafe(details) } : {}) },
});

/** Every failure leaves as { error: { code, message, responseCode } }: stable codes, no stack traces. */
@Catch()
export class LedgerErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly metrics?: LedgerMetrics,
    private readonly service = 'ledger',
  ) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<Res>();
    const correlationId = host.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers['x-correlation-id'];
    const [status, body] = this.describe(exception);
    this.metrics?.refusals.inc({ service: this.service, code: body.error.code });
    if (status >= 500) this.logger.error({ err: exception, correlationId }, 'request failed');
    else this.logger.info({ correlationId, code: body.error.code, responseCode: body.error.responseCode }, 'request refused');
    res.status(status).json(body);
  }

  private describe(e: unknown): [number, ReturnType<typeof errorBody>] {
    if (isDomainError(e)) return [STATUS[e.category], errorBody(e.code, e.message, e.responseCode, e.details)];
    // Nest wraps body-parser's errors in an HttpException; their kind is on the cause.
    const raw = (e instanceof HttpException ? e.cause : e) as { type?: string } | undefined;
    if (raw?.type === 'entity.parse.failed') return [400, errorBody('MALFORMED_JSON', 'request body is not valid JSON', '30')];
    if (raw?.type === 'entity.too.large') return [413, errorBody('REQUEST_TOO_LARGE', 'request body is too large', '30')];
    if (e instanceof HttpException) {
      const status = e.getStatus();
      if (status === 404) return [404, errorBody('ROUTE_NOT_FOUND', 'no such endpoint', '40')];
      if (status === 400) return [400, errorBody('MALFORMED_JSON', e.message, '30')];
      // The body parser refuses a charset or content encoding it cannot read.
      if (status === 415) return [415, errorBody('MEDIA_TYPE_UNSUPPORTED', e.message, '30')];
      return [status, errorBody(`HTTP_${status}`, e.message, '96')];
    }
    return [500, errorBody('INTERNAL_ERROR', 'the host could not complete the request; retry', '96')];
  }
}
