/** JSON that keeps bigint exact, for a service's own documents (never for the wire, which uses contracts). */
const TAG = '$bigint';

export const stringifyWithBigInt = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { [TAG]: v.toString() } : v));

export const parseWithBigInt = <T>(text: string): T =>
  JSON.parse(text, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && TAG in v
      ? BigInt((v as Record<string, string>)[TAG])
      : v,
  ) as T;

export { toJsonSafe } from '@pos/kernel';
