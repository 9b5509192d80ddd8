/**
 * Every refusal carries a stable machine code, a message for people and the
 * ISO 8583-style response code a terminal shows. The kind decides the HTTP status
 * (and the CLI's exit) at the edge; the domain never knows about HTTP.
 */
export type ErrorKind = 'validation' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'state' | 'rate_limited' | 'internal';

/** A code's entry in its context's catalogue. */
export interface ErrorEntry {
  readonly responseCode: string;
  readonly kind: ErrorKind;
  /** Other kinds an edge may answer the code with (docs/errors.md says where), e.g. TERMINAL_UNKNOWN: 401 to a terminal, 404 to the back office. */
  readonly alsoKinds?: readonly ErrorKind[];
}

declare const catalogued: unique symbol;
/** A code with its entry, as only a catalogue makes it: a DomainError cannot be built from a loose code. */
export interface ErrorSpec extends ErrorEntry {
  readonly code: string;
  readonly [catalogued]: true;
}

/** An error with a catalogued code: what the edges answer (HTTP body, CLI line, dead-letter header). */
export abstract class CodedError extends Error {
  readonly code: string;
  readonly responseCode: string;
  readonly kind: ErrorKind;

  constructor(
    spec: ErrorSpec,
    message: string,
    readonly details?: Record<string, unknown>,
    kind: ErrorKind = spec.kind,
  ) {
    super(message);
    this.code = spec.code;
    this.responseCode = spec.responseCode;
    this.kind = kind;
  }
}

/**
 * A refusal by the rules: the same request or message would be refused again, so a consumer
 * dead-letters it and the API answers it. Built only from a catalogue (see errorCatalogue).
 */
export class DomainError extends CodedError {
  override name = 'DomainError';
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

type Kinds<E extends ErrorEntry> = E['kind'] | NonNullable<E['alsoKinds']>[number];
/** Makes a code's DomainError; carries the code's spec, for subclasses and for comparing codes. */
export type ErrorMaker<E extends ErrorEntry = ErrorEntry> = ((message: string, details?: Record<string, unknown>, kind?: Kinds<E>) => DomainError) & { readonly spec: ErrorSpec };
export type ErrorCatalogue<M extends Record<string, ErrorEntry>> = { readonly [C in keyof M & string]: ErrorMaker<M[C]> };

/**
 * A context's error catalogue: its codes as a typed const map of response code and kind, and a
 * maker per code. `Errors.CODE('message')` is the only way to a DomainError, so every code
 * answered is one docs/errors.md lists (a unit test holds the two equal).
 */
export const errorCatalogue = <const M extends Record<string, ErrorEntry>>(entries: M): ErrorCatalogue<M> =>
  Object.fromEntries(
    Object.entries(entries).map(([code, entry]) => {
      const spec = { ...entry, code } as ErrorSpec;
      const make = (message: string, details?: Record<string, unknown>, kind?: ErrorKind) => new DomainError(spec, message, details, kind);
      return [code, Object.assign(make, { spec })];
    }),
  ) as ErrorCatalogue<M>;

/** Codes that share one entry (the same response code and kind), for a catalogue's input: `...alike({ responseCode: '12', kind: 'state' }, 'A', 'B')`. */
export const alike = <const E extends ErrorEntry, const C extends readonly string[]>(entry: E, ...codes: C): { readonly [K in C[number]]: E } =>
  Object.fromEntries(codes.map((c) => [c, entry])) as { readonly [K in C[number]]: E };

/** The codes a catalogue holds, with their entries (for the documentation test). */
export const catalogueEntries = (catalogue: Readonly<Record<string, { readonly spec: ErrorSpec }>>): ErrorSpec[] => Object.values(catalogue).map((m) => m.spec);

/** Errors of the kernel's own: the store's concurrency check. */
export const KernelErrors = errorCatalogue({
  STREAM_VERSION_CONFLICT: { responseCode: '96', kind: 'conflict' },
});

/**
 * Optimistic concurrency: the stream moved since it was read. Not a refusal: the same
 * request decided again on the new state may pass, so callers retry (a consumer never
 * dead-letters it) and the API answers 409 STREAM_VERSION_CONFLICT only when retrying is the caller's.
 */
export class ConcurrencyError extends CodedError {
  override name = 'ConcurrencyError';
  /** `actual` where the store saw it; a group append knows only that the head moved. */
  constructor(streamId: string, expected: number, actual?: number) {
    super(
      KernelErrors.STREAM_VERSION_CONFLICT.spec,
      actual === undefined ? `stream ${streamId} moved past version ${expected} since it was read` : `stream ${streamId} is at version ${actual}, expected ${expected}`,
      actual === undefined ? { streamId, expected } : { streamId, expected, actual },
    );
  }
}
