import type { NewEvent } from '@pos/eventing';
import type { Actor } from '@pos/kernel';

/** Who asks for a back-office change, and when (the injected clock): what its events record. */
export interface ChangeContext {
  readonly actor: Actor;
  readonly now: () => Date;
  readonly correlationId: string;
}

/** How a change's events name who made it: a token's name (or id), an admin's id. */
export const actorName = (actor: Actor): string => `${actor.type}:${actor.name ?? actor.id}`;

/** A back-office event: caused by the request itself (its correlation id). */
export const changeEvent = (e: { readonly type: string; readonly data: unknown }, ctx: ChangeContext): NewEvent => ({
  type: e.type,
  data: e.data,
  occurredAt: ctx.now(),
  context: { correlationId: ctx.correlationId, causationId: ctx.correlationId, actor: ctx.actor },
});

/** Settlement's own documents beside its streams. */
export const SETTLEMENT_DOCS = {
  pricing: 'pricing-plans',
  /** One document per transaction of an open batch, keyed `terminal|day|batch|rrn`. */
  pending: 'pending-transactions',
  /** Whole-batch documents written by versions before 2026-12; read (and removed) when their batch closes. */
  legacyPending: 'pending-batches',
  /** Per merchant, the latest business day it has a settled batch of: plans are never effective on or before it. */
  settledDays: 'merchant-settled-days',
  /** Batch parts settled and not yet paid, keyed `merchant|currency|settlementId|schedule`. */
  payoutsDue: 'payouts-due',
} as const;
