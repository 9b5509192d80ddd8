import { DomainError, isBusinessDay } from '@pos/kernel';

/** Read-side parameters of reconciliation's endpoints, refused alike: QUERY_INVALID (docs/errors.md). */
export const queryInvalid = (what: string): DomainError => new DomainError('QUERY_INVALID', `${what} is missing or malformed`, '30', 'validation');

/** A business day in a query or a path: a real calendar date YYYY-MM-DD (2026-13-45 and 2026-02-30 are not). */
export const businessDayParam = (value: string | undefined, name = 'businessDay'): string => {
  if (value === undefined || !isBusinessDay(value)) throw queryInvalid(`${name} (a calendar date YYYY-MM-DD)`);
  return value;
};

const IDS = { merchantId: /^[A-Z0-9]{15}$/, terminalId: /^[A-Z0-9]{8}$/, batchNo: /^\d{6}$/, breakId: /^[0-9a-f]{24}$/ } as const;

/** An identifier in its format (for an optional one, call it when it is given). */
export const idParam = (name: keyof typeof IDS, value: string | undefined): string => {
  if (value === undefined || !IDS[name].test(value)) throw queryInvalid(name);
  return value;
};

/** An optional filter that is one of `allowed` when given. */
export const oneOfParam = <T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined => {
  if (value !== undefined && !(allowed as readonly string[]).includes(value)) throw queryInvalid(`${name} (one of ${allowed.join(', ')})`);
  return value as T | undefined;
};
