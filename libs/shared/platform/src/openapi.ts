import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { READ_ROLES, type RouteAccess } from './access';
import { RouteAccessOf } from './access.guard';
import { acceptedFormOf, apiErrorBody } from '@pos/contracts';
import { z } from 'zod';
import { EdgeErrors } from './errors';
import { CSRF_HEADER, SESSION_COOKIE } from './session';

type JsonSchema = Record<string, unknown>;

/**
 * A request or answer schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses), the wire form:
 * amounts as the strings they travel as; a field parsed apart is shown as the form it accepts.
 */
export const jsonSchemaOf = (schema: z.ZodType): JsonSchema => {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    override: ({ zodSchema, jsonSchema }) => {
      const accepts = acceptedFormOf(zodSchema);
      if (!accepts) return;
      for (const key of Object.keys(jsonSchema)) delete (jsonSchema as JsonSchema)[key];
      Object.assign(jsonSchema, jsonSchemaOf(accepts));
    },
  }) as JsonSchema;
  return json;
};

/**
 * Who may call an operation: its terminal's API key, a back-office token (or a console session)
 * with the role it needs (`operations`, `finance`; `read`: any of auditor, operations, finance),
 * a console session alone (`session`), or anyone (`public`: signing in).
 */
export type ApiAuth = RouteAccess;
export const SECURITY_SCHEMES = {
  terminal: { type: 'http', scheme: 'bearer', description: "The terminal's API key, answered once at registration" },
  backOffice: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A back-office token (`npm run tokens -- issue`, or LEDGER_<ROLE>_TOKEN); an operation\'s requirement names the roles that may call it. No, unknown or revoked token: 401 ADMIN_UNAUTHENTICATED; another role: 403 ADMIN_FORBIDDEN.',
  },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: `The console's session cookie (POST /v1/session), in place of a bearer token: it acts with its token's role. Every request with it but a GET or HEAD carries the session's CSRF token in header ${CSRF_HEADER}, else 403 CSRF_INVALID. Signed out, expired (30 min idle, 12 h after sign-in) or its token revoked: 401 ADMIN_UNAUTHENTICATED.`,
  },
} as const;

/** The security requirements of an operation: OpenAPI 3.1 lets a bearer scheme name the roles it needs. */
const securityOf = (auth: ApiAuth) => {
  if (auth === 'public') return [];
  if (auth === 'terminal') return [ApiSecurity('terminal')];
  if (auth === 'session') return READ_ROLES.map((role) => ApiSecurity('session', [role]));
  const roles = auth === 'read' ? READ_ROLES : [auth];
  return [...roles.map((role) => ApiSecurity('backOffice', [role])), ...roles.map((role) => ApiSecurity('session', [role]))];
};

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 429 | 500;

export interface ApiContract {
  readonly summary: string;
  readonly description?: string;
  readonly auth: ApiAuth;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  /** A JSON body; `bodyOptional` when it may be left out. */
  readonly body?: z.ZodType;
  readonly bodyOptional?: boolean;
  /** A CSV body (a clearing file) instead of JSON. */
  readonly csvBody?: string;
  readonly status: 200 | 201 | 202 | 204;
  /** The success answer's body (none for 204). */
  readonly answer?: z.ZodType;
  /** The success answer sets the session cookie. */
  readonly setsCookie?: boolean;
  /** The error codes the operation answers, by HTTP status, beyond those every operation can (see `errorsOf`). */
  readonly errors: Partial<Record<ErrorStatus, readonly string[]>>;
}

/** Every operation may answer these: a body that is not JSON or too large, a path that matches nothing, a failure; a back-office one its token's refusals. */
const errorsOf = (c: ApiContract): Record<number, string[]> => {
  const out: Record<number, string[]> = {};
  const add = (status: number, ...codes: string[]) => (out[status] = [...new Set([...(out[status] ?? []), ...codes])]);
  for (const [status, codes] of Object.entries(c.errors)) add(Number(status), ...codes);
  if (c.auth !== 'terminal' && c.auth !== 'public') add(401, 'ADMIN_UNAUTHENTICATED');
  // Writes: another role's token, or the session cookie without its CSRF token.
  if (c.auth === 'operations' || c.auth === 'finance') add(403, 'ADMIN_FORBIDDEN', 'CSRF_INVALID');
  add(400, 'MALFORMED_JSON');
  if (c.body) add(400, 'REQUEST_INVALID');
  if (c.query || c.params) add(400, 'QUERY_INVALID');
  if (c.params) add(404, 'ROUTE_NOT_FOUND');
  add(413, 'REQUEST_TOO_LARGE');
  add(415, 'MEDIA_TYPE_UNSUPPORTED');
  add(500, 'INTERNAL_ERROR');
  return out;
};

const parametersOf = (where: 'path' | 'query', schema: z.ZodObject | undefined) =>
  Object.entries(schema?.shape ?? {}).map(([name, field]) => {
    const f = field as z.ZodType;
    const options = { name, required: where === 'path' || !f.safeParse(undefined).success, schema: jsonSchemaOf(f), description: f.description };
    return where === 'path' ? ApiParam(options) : ApiQuery(options);
  });

/**
 * Documents an operation from the zod schemas the server validates with: parameters, body,
 * the success answer and the error body with every code the operation can answer.
 */
export const ApiContract = (c: ApiContract) =>
  applyDecorators(
    ApiOperation({ summary: c.summary, description: c.description }),
    RouteAccessOf(c.auth),
    ...securityOf(c.auth),
    ...parametersOf('path', c.params),
    ...parametersOf('query', c.query),
    ...(c.body ? [ApiBody({ schema: jsonSchemaOf(c.body), required: !c.bodyOptional })] : []),
    ...(c.csvBody ? [ApiConsumes('text/csv'), ApiBody({ schema: { type: 'string', description: c.csvBody }, required: true })] : []),
    ApiResponse({
      status: c.status,
      description: 'accepted',
      ...(c.answer ? { schema: jsonSchemaOf(c.answer) } : {}),
      ...(c.setsCookie ? { headers: { 'Set-Cookie': { description: `${SESSION_COOKIE}=…; Path=/; HttpOnly; SameSite=Strict (+ Secure over https)`, schema: { type: 'string' } } } } : {}),
    }),
    ...Object.entries(errorsOf(c)).map(([status, codes]) =>
      ApiResponse({ status: Number(status), description: codes.join(', '), schema: jsonSchemaOf(apiErrorBody(codes as [string, ...string[]])) }),
    ),
  );

/** Parses path or query parameters against their schema: QUERY_INVALID names every problem, nothing is read. */
export const parseQuery = <S extends z.ZodType>(schema: S, values: unknown): z.output<S> => {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
  throw EdgeErrors.QUERY_INVALID(`invalid parameter ${problems.join('; ')}`, { problems });
};
