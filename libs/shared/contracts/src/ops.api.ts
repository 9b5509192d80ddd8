import { z } from 'zod';
import { count } from './wire';

/** The operations routes' answers (/v1/ops): projections and their rebuilds, the services' health. */
const instant = z.iso.datetime();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const rebuildStatusSchema = z.object({
  rebuildId: z.uuid(),
  startedAt: instant,
  phase: z.enum(['replay', 'join', 'catch-up', 'compare', 'swap']),
  processed: count.describe('records of the source replayed so far'),
  total: count.describe('records of the source up to the handover'),
  finishedAt: instant.optional(),
  result: z.enum(['SWAPPED', 'FAILED']).optional().describe('SWAPPED: the rebuilt generation is live; FAILED: live kept, `error` says why'),
  generation: z.int().positive().optional().describe('the generation built'),
  digest: sha256.optional().describe("the rebuilt generation's digest"),
  errorCode: z.string().optional().describe('REBUILD_DIFFERS (the rebuilt digest is not live\'s), or the code the rebuild stopped with'),
  error: z.string().optional(),
});

export const projectionStatusSchema = z.object({
  name: z.string().min(1),
  service: z.string().min(1),
  description: z.string(),
  generation: z.int().positive().describe('the live generation, the one queries read'),
  documents: count,
  digest: sha256.describe("sha256 over the live generation's documents in key order (as `ledger-audit digest`)"),
  digestAt: instant.describe('when the digest and the document count were taken: they are reused for a few seconds'),
  digestPosition: z.string().regex(/^\d+$/).describe('the position the digest was taken at: equal to `position`, it is the digest of now'),
  position: z.string().regex(/^\d+$/).describe('store-fed: the last store position applied; log-fed: messages applied (the consumer group\'s committed offsets, summed)'),
  lagEvents: count.describe('events of its source the live projector has not applied yet'),
  state: z.enum(['LIVE', 'REBUILDING']),
  rebuild: rebuildStatusSchema.optional().describe('the latest rebuild started over this API: running, or how it ended'),
});

export const projectionsAnswer = z.object({ projections: z.array(projectionStatusSchema) });

export const rebuildStartedAnswer = z.object({ rebuildId: z.uuid(), name: z.string().min(1) });

export const healthAnswer = z.object({
  services: z.array(z.object({
    name: z.string().min(1),
    ready: z.boolean(),
    checks: z.record(z.string(), z.record(z.string(), z.unknown())).describe('per dependency (store, log, consumer): `status` up or down, and what it reports'),
  })),
  consumers: z.array(z.object({ group: z.string(), topic: z.string(), partition: z.int().nonnegative().optional(), lag: count })),
  outbox: z.array(z.object({ service: z.string(), backlog: count.describe('committed events not yet published') })),
  deadLetters: z.array(z.object({ topic: z.string().describe('a dead-letter topic, `<topic>.dlq`'), count })),
  at: instant,
});
