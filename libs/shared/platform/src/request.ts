import { randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { NumberLiteral } from '@pos/money';
import type { z } from 'zod';
import { EdgeErrors } from './errors';

/** Parses a request body against its schema; every problem is listed, nothing is written. */
export const parseRequest = <S extends z.ZodType>(schema: S, body: unknown): z.output<S> => {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.input instanceof NumberLiteral ? `${i.input.text} is not an integer (no fraction, no exponent)` : i.message}`);
  throw EdgeErrors.REQUEST_INVALID(`invalid request: ${problems.join('; ')}`, { problems });
};

export interface RequestMeta {
  readonly correlationId: string;
}

export const CORRELATION_HEADER = 'x-correlation-id';

/** The caller's correlation id if it is a sane token, else a new one. */
export const correlationIdOf = (given: string | string[] | undefined): string =>
  typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();

/** The request's correlation id (set by the HTTP middleware from `x-correlation-id`, or new). */
export const Meta = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestMeta => {
  const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
  return { correlationId: correlationIdOf(req.headers[CORRELATION_HEADER]) };
});
