import { randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '@pos/kernel';
import type { z } from 'zod';

/** Parses a request body against its schema; every problem is listed, nothing is written. */
export const parseRequest = <S extends z.ZodType>(schema: S, body: unknown): z.output<S> => {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
  throw new DomainError('REQUEST_INVALID', `invalid request: ${problems.join('; ')}`, '30', 'validation', { problems });
};

export interface RequestMeta {
  readonly correlationId: string;
}

/** The caller's correlation id (header `x-correlation-id`), or a new one; echoed back on the response. */
export const Meta = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestMeta => {
  const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
  const res = ctx.switchToHttp().getResponse<{ setHeader(k: string, v: string): void }>();
  const given = req.headers['x-correlation-id'];
  const correlationId = given && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
  res.setHeader('x-correlation-id', correlationId);
  return { correlationId };
});
