import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { keepNumberLiterals } from '@pos/money';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { LedgerErrorFilter } from './error.filter';
import { SECURITY_SCHEMES } from './openapi';
import { CORRELATION_HEADER, correlationIdOf } from './request';
import { PinoNestLogger } from './logger';
import type { LedgerMetrics } from './metrics';

export interface HttpAppOptions {
  readonly service: string;
  readonly title: string;
  readonly logger: Logger;
  readonly metrics: LedgerMetrics;
  /** Middleware that must see the request before the body parser: the reconciliation app's forwarding. */
  readonly beforeBody?: readonly ((req: Request, res: Response, next: NextFunction) => void)[];
}

interface Req {
  method: string;
  route?: { path?: string };
  originalUrl: string;
  headers: Record<string, string | string[] | undefined>;
}
interface Res {
  statusCode: number;
  on(event: 'finish', fn: () => void): void;
  setHeader(name: string, value: string): void;
}

/** Creates a Nest HTTP app with our error shape, request metrics, body limits and OpenAPI at /docs. */
export const createHttpApp = async (rootModule: unknown, o: HttpAppOptions): Promise<INestApplication> => {
  const app = await NestFactory.create<NestExpressApplication>(rootModule as never, { logger: new PinoNestLogger(o.logger), bodyParser: false });
  app.useGlobalFilters(new LedgerErrorFilter(o.logger, o.metrics, o.service));
  // Nothing to gain from naming the framework to every client.
  app.disable('x-powered-by');
  app.use((req: Req, res: Res, next: () => void) => {
    // One correlation id per request: the caller's, or a new one. It is echoed back, written
    // into every event the request causes, and on every log line about it.
    req.headers[CORRELATION_HEADER] = correlationIdOf(req.headers[CORRELATION_HEADER]);
    const correlationId = req.headers[CORRELATION_HEADER] as string;
    res.setHeader(CORRELATION_HEADER, correlationId);
    const started = process.hrtime.bigint();
    const end = o.metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = `${req.method} ${req.route?.path ?? 'unmatched'}`;
      o.metrics.httpRequests.inc({ service: o.service, route, status: String(res.statusCode) });
      end({ service: o.service, route });
      const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
      o.logger.info({ correlationId, method: req.method, url: req.originalUrl, route: req.route?.path, status: res.statusCode, ms }, 'request');
    });
    next();
  });
  for (const middleware of o.beforeBody ?? []) app.use(middleware);
  // A batch upload of 500 transactions is ~100 KB; 1 MB leaves room and still bounds a request.
  // Number literals other than plain integers are kept as their text: see keepNumberLiterals.
  app.useBodyParser('json', { limit: '1mb', reviver: keepNumberLiterals });
  app.enableShutdownHooks();
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle(o.title)
    .setDescription('Event-sourced settlement ledger for POS terminals. Amounts are minor units (strings in answers). Every refusal is { error: { code, message, responseCode } }; see docs/errors.md.')
    .setVersion('1');
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) builder.addSecurity(name, scheme);
  const doc = SwaggerModule.createDocument(app, builder.build());
  SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs-json' });
  return app;
};
