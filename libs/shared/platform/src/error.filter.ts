import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { CodedError, type ErrorKind, type ErrorSpec } from '@pos/kernel';
import type { Logger } from 'pino';
import { toJsonSafe } from '@pos/eventing';
import { EdgeErrors } from './errors';
import type { LedgerMetrics } from './metrics';

const KIND_STATUS: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  state: 409,
  rate_limited: 429,
  internal: 500,
};
/** The body parser's refusals keep their own statuses, and so does a forwarded call whose service does not answer. */
const CODE_STATUS: Readonly<Record<string, number>> = { REQUEST_TOO_LARGE: 413, MEDIA_TYPE_UNSUPPORTED: 415, UPSTREAM_UNREACHABLE: 502 };

/** The HTTP status a code is answered with, in a given kind (docs/errors.md lists it; a test holds the two equal). */
export const httpStatusOf = (code: string, kind: ErrorKind): number => CODE_STATUS[code] ?? KIND_STATUS[kind];

interface Res {
  status(code: number): Res;
  json(body: unknown): void;
}

export const errorBody = (code: string, message: string, responseCode: string, details?: unknown) => ({
  error: { code, message, responseCode, ...(details ? { details: toJsonSafe(details) } : {}) },
});

/** A catalogued answer to a failure that is not a refusal. */
const answer = (spec: ErrorSpec, message: string): [number, ReturnType<typeof errorBody>] => [httpStatusOf(spec.code, spec.kind), errorBody(spec.code, message, spec.responseCode)];

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
    // A refusal, or a conflict the caller may retry (STREAM_VERSION_CONFLICT): its own code.
    if (e instanceof CodedError) return [httpStatusOf(e.code, e.kind), errorBody(e.code, e.message, e.responseCode, e.details)];
    // Nest wraps body-parser's errors in an HttpException; their kind is on the cause.
    const raw = (e instanceof HttpException ? e.cause : e) as { type?: string } | undefined;
    if (raw?.type === 'entity.parse.failed') return answer(EdgeErrors.MALFORMED_JSON.spec, 'request body is not valid JSON');
    if (raw?.type === 'entity.too.large') return answer(EdgeErrors.REQUEST_TOO_LARGE.spec, 'request body is too large');
    if (e instanceof HttpException) {
      const status = e.getStatus();
      if (status === 404) return answer(EdgeErrors.ROUTE_NOT_FOUND.spec, 'no such endpoint');
      if (status === 400) return answer(EdgeErrors.MALFORMED_JSON.spec, e.message);
      // The body parser refuses a charset or content encoding it cannot read.
      if (status === 415) return answer(EdgeErrors.MEDIA_TYPE_UNSUPPORTED.spec, e.message);
      return [status, errorBody(`HTTP_${status}`, e.message, '96')];
    }
    return answer(EdgeErrors.INTERNAL_ERROR.spec, 'the host could not complete the request; retry');
  }
}
