import { InvalidArgumentError } from 'commander';

/** Option parsers: each refuses a malformed value with a message naming what is expected. */
export const businessDay = (value: string): string => {
  const at = new Date(`${value}T00:00:00Z`);
  // A real calendar day: 2026-02-30 parses in some engines, so the round trip must give it back.
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(at.getTime()) && at.toISOString().startsWith(value);
  if (!ok) throw new InvalidArgumentError(`expected a business day YYYY-MM-DD, got '${value}'`);
  return value;
};

export const terminalId = (value: string): string => {
  if (!/^[A-Z0-9]{8}$/.test(value)) throw new InvalidArgumentError(`expected a terminal id of 8 capital letters or digits, got '${value}'`);
  return value;
};

export const merchantId = (value: string): string => {
  if (!/^[A-Z0-9]{15}$/.test(value)) throw new InvalidArgumentError(`expected a merchant id of 15 capital letters or digits, got '${value}'`);
  return value;
};

export const batchNo = (value: string): string => {
  if (!/^\d{6}$/.test(value)) throw new InvalidArgumentError(`expected a batch number of 6 digits, got '${value}'`);
  return value;
};

/** An instant with its zone (Z or ±hh:mm): a naive local time would mean different instants on different machines. */
export const instant = (value: string): Date => {
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value);
  const at = new Date(value);
  if (!ok || Number.isNaN(at.getTime())) throw new InvalidArgumentError(`expected an ISO-8601 instant with its zone, e.g. 2026-11-23T18:00:00Z or 2026-11-23T18:00:00+08:00, got '${value}'`);
  return at;
};

export const positiveInt = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return Number(value);
};

/** `N` (every partition, or a store position) or `topic/partition=N,...`. */
export type OffsetSpec = { readonly all: string } | { readonly each: Readonly<Record<string, string>> };

export const offsets = (value: string): OffsetSpec => {
  if (/^\d+$/.test(value)) return { all: BigInt(value).toString() };
  const each: Record<string, string> = {};
  for (const part of value.split(',')) {
    const m = /^([A-Za-z0-9._-]+\/\d+)=(\d+)$/.exec(part.trim());
    if (!m) throw new InvalidArgumentError(`expected N or topic/partition=N[,topic/partition=N...], got '${part}'`);
    each[m[1]] = BigInt(m[2]).toString();
  }
  return { each };
};

export const FORMATS = ['table', 'csv', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export const format = (value: string): Format => {
  if (!(FORMATS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}, got '${value}'`);
  return value as Format;
};
