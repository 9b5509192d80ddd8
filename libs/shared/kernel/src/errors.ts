/**
 * Every refusal carries a stable machine code, a message for people and the
 * ISO 8583-style response code a terminal shows. The category decides the
 * HTTP status at the edge; the domain never knows about HTTP.
 */
export type ErrorCategory =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'state'
  | 'internal';

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly responseCode: string,
    readonly category: ErrorCategory,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/** Optimistic concurrency: the stream moved since it was read. Callers may retry. */
export class ConcurrencyError extends DomainError {
  /** `actual` where the store saw it; a group append knows only that the head moved. */
  constructor(streamId: string, expected: number, actual?: number) {
    super(
      'STREAM_VERSION_CONFLICT',
      actual === undefined ? `stream ${streamId} moved past version ${expected} since it was read` : `stream ${streamId} is at version ${actual}, expected ${expected}`,
      '96',
      'conflict',
      actual === undefined ? { streamId, expected } : { streamId, expected, actual },
    );
    this.name = 'ConcurrencyError';
  }
}
