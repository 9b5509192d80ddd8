import { Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { healthAnswer, projectionsAnswer, rebuildStartedAnswer } from '@pos/contracts';
import {
  consumerLagByPartition, deadLetterCounts, DigestCache, type MessageLog, type ProjectionDefinition, ProjectionErrors, ProjectionRebuilds, type ProjectionStatus, projectionStatus,
  type ServiceStore,
} from '@pos/eventing';
import type { Clock } from '@pos/kernel';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ApiContract, parseQuery } from './openapi';
import { mergeHealth, mergeProjections, type ProcessHealth, unreachablePeer } from './ops-merge';
import { CORRELATION_HEADER } from './request';
import { CLOCK, LOGGER } from './tokens';

/** A readiness check's answer: `status` up or down, and what the dependency reports. */
export type ProbeResult = Record<string, unknown> & { status: 'up' | 'down' };

/** The projections one service keeps, in its store, fed by its store or the log. */
export interface ProjectionHost {
  readonly store: ServiceStore;
  readonly log: MessageLog;
  readonly projections: readonly ProjectionDefinition[];
}

/** Another service of the microservices deployment whose /v1/ops answers this process merges into its own (reconciliation does). */
export interface OpsPeer {
  readonly name: string;
  readonly url: string;
}

/** What a process answers on /v1/ops: its projections, its consumers, its stores' outboxes, its peers. */
export interface OpsSources {
  /** The process's name (`ledger` for the embedded one). */
  readonly service: string;
  readonly projections: readonly ProjectionHost[];
  readonly consumers: ReadonlyArray<{ readonly group: string; readonly topics: readonly string[] }>;
  readonly outbox: ReadonlyArray<{ readonly service: string; readonly store: Pick<ServiceStore, 'outboxBacklog'> }>;
  readonly log: MessageLog;
  readonly peers: readonly OpsPeer[];
  /** Who runs rebuilds started here, recorded in the projection registry (`<service>@<host>:<pid>`). */
  readonly owner: string;
  readonly readiness: () => Promise<Record<string, ProbeResult>>;
}

export const OPS_SOURCES = Symbol('OPS_SOURCES');

/** Set on the requests a process sends its peers, so that a peer answers for itself only (no merge loops). */
const MERGED_HEADER = 'x-ledger-ops-peer';
const FORWARDED = ['authorization', 'cookie', 'x-csrf-token', CORRELATION_HEADER];
const PEER_TIMEOUT_MS = 5_000;
const SHUTDOWN_WAIT_MS = 10_000;
/** A moving projection's digest is taken again at most this often (see DigestCache). */
const DIGEST_MAX_AGE_MS = 5_000;
const REBUILD_BATCH = 200;

interface HttpReq {
  headers: Record<string, string | string[] | undefined>;
}
interface HttpRes {
  status(code: number): HttpRes;
}

const projectionPath = z.object({ name: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/).describe('a projection name, as GET /v1/ops/projections lists them') });


/**
 * Operations' view of a process: its projections (live generation, position, lag, digest) and
 * their rebuilds, and its health (readiness, consumer lag, outbox backlog, dead letters). The
 * reconciliation app of the microservices deployment merges its peers' answers into its own.
 */
@ApiTags('operations')
@Controller('v1/ops')
export class OpsController {
  private readonly rebuilds: ProjectionRebuilds;
  private readonly digests = new DigestCache(DIGEST_MAX_AGE_MS);

  constructor(
    @Inject(OPS_SOURCES) private readonly ops: OpsSources,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.rebuilds = new ProjectionRebuilds({
      owner: ops.owner,
      // Smaller store transactions than the CLI's: on the embedded default this process also answers the terminals.
      batchSize: REBUILD_BATCH,
      now: () => clock.now(),
      onError: (e, projection) => logger.error({ err: e, projection }, 'could not record the progress of a rebuild'),
    });
  }

  private async peer<T>(peer: OpsPeer, path: string, req: HttpReq, method = 'GET'): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { [MERGED_HEADER]: '1' };
    for (const name of FORWARDED) if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
    const res = await fetch(`${peer.url}${path}`, { method, headers, signal: AbortSignal.timeout(PEER_TIMEOUT_MS) });
    return { status: res.status, body: (await res.json()) as T };
  }

  private peersOf(req: HttpReq): readonly OpsPeer[] {
    return req.headers[MERGED_HEADER] ? [] : this.ops.peers;
  }

  private local(name: string): { def: ProjectionDefinition; host: ProjectionHost } | undefined {
    for (const host of this.ops.projections) {
      const def = host.projections.find((p) => p.name === name);
      if (def) return { def, host };
    }
    return undefined;
  }

  @Get('projections')
  @ApiContract({
    summary: 'Every projection: its live generation, position, lag and digest, and its latest rebuild (progress, then result)',
    description: 'Each service answers for its own projections; the reconciliation app of the microservices deployment adds its peers\' (LEDGER_GATEWAY_URL, LEDGER_SETTLEMENT_URL).',
    auth: 'read',
    status: 200,
    answer: projectionsAnswer,
    errors: {},
  })
  async projections(@Req() req: HttpReq) {
    const own: ProjectionStatus[] = [];
    for (const host of this.ops.projections) for (const def of host.projections) own.push(await projectionStatus(def, host, this.digests));
    const theirs = await Promise.all(
      this.peersOf(req).map((p) =>
        this.peer<{ projections: ProjectionStatus[] }>(p, '/v1/ops/projections', req).then(
          (r) => (r.status === 200 ? r.body.projections : []),
          (e: unknown) => {
            this.logger.warn({ err: e, peer: p.name }, 'a peer did not answer for its projections');
            return [];
          },
        ),
      ),
    );
    return { projections: mergeProjections(own, theirs) };
  }

  @Post('projections/:name/rebuild')
  @HttpCode(202)
  @ApiContract({
    summary: 'Rebuild a projection into a new generation beside live, in the background; it is swapped in when its digest equals live',
    description: 'As `ledger-audit rebuild`: live traffic keeps flowing. Progress and the result (SWAPPED, or FAILED with the reason) show in GET /v1/ops/projections.',
    auth: 'operations',
    params: projectionPath,
    status: 202,
    answer: rebuildStartedAnswer,
    errors: { 404: ['PROJECTION_UNKNOWN'], 409: ['REBUILD_IN_PROGRESS', 'LOG_TRUNCATED'] },
  })
  async rebuild(@Param() params: unknown, @Req() req: HttpReq, @Res({ passthrough: true }) res: HttpRes) {
    const { name } = parseQuery(projectionPath, params);
    const here = this.local(name);
    if (here) {
      const { rebuildId, done } = await this.rebuilds.start(here.def, here.host);
      void done.then((s) => this.logger.info({ projection: name, rebuildId, result: s.result, error: s.error }, 'projection rebuild ended'));
      return { rebuildId, name };
    }
    // A peer's projection: the peer that keeps it runs the rebuild, and its answer is the answer.
    let unreachable: unknown;
    for (const p of this.peersOf(req)) {
      const answer = await this.peer<{ error?: { code?: string } }>(p, `/v1/ops/projections/${name}/rebuild`, req, 'POST').catch((e: unknown) => {
        unreachable = e;
        return undefined;
      });
      if (!answer || (answer.status === 404 && answer.body.error?.code === 'PROJECTION_UNKNOWN')) continue;
      res.status(answer.status);
      return answer.body;
    }
    // Not ours, and a peer that might keep it did not answer: a failure, not an unknown name.
    if (unreachable) throw unreachable;
    throw ProjectionErrors.PROJECTION_UNKNOWN(`no projection ${name} here; GET /v1/ops/projections lists them`);
  }

  @Get('health')
  @ApiContract({
    summary: "Each service's readiness, consumer lag per partition, outbox backlog per store, dead letters per topic",
    description: 'The reconciliation app of the microservices deployment merges its peers\' answers; a peer that does not answer is listed not ready.',
    auth: 'read',
    status: 200,
    answer: healthAnswer,
    errors: {},
  })
  async health(@Req() req: HttpReq) {
    const checks = await this.ops.readiness();
    const own: ProcessHealth = {
      services: [{ name: this.ops.service, ready: Object.values(checks).every((c) => c.status === 'up'), checks }],
      consumers: (await Promise.all(this.ops.consumers.map((c) => consumerLagByPartition(this.ops.log, c.group, c.topics)))).flat(),
      outbox: await Promise.all(this.ops.outbox.map(async (o) => ({ service: o.service, backlog: await o.store.outboxBacklog() }))),
      deadLetters: await deadLetterCounts(this.ops.log, this.ops.consumers.flatMap((c) => c.topics)),
    };
    const theirs = await Promise.all(
      this.peersOf(req).map(async (p): Promise<ProcessHealth> => {
        try {
          const r = await this.peer<ProcessHealth>(p, '/v1/ops/health', req);
          if (r.status !== 200) throw new Error(`answered HTTP ${r.status}`);
          return r.body;
        } catch (e) {
          return unreachablePeer(p, e instanceof Error ? e.message : String(e));
        }
      }),
    );
    return { ...mergeHealth(own, theirs), at: this.clock.now().toISOString() };
  }

  /** Lets rebuilds that are running end before the stores close, for a while: one left behind is aborted with `ledger-audit abort`. */
  async onApplicationShutdown() {
    await Promise.race([this.rebuilds.settle(), new Promise((r) => setTimeout(r, SHUTDOWN_WAIT_MS).unref())]);
  }
}
