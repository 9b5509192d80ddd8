/**
 * ISO 4217 currencies the ledger accepts, with their minor-unit exponent.
 * A code outside this table is refused rather than guessed.
 */
export const CURRENCIES = {
  CNY: { numeric: '156', exponent: 2 },
  HKD: { numeric: '344', exponent: 2 },
  MOP: { numeric: '446', exponent: 2 },
  TWD: { numeric: '901', exponent: 2 },
  USD: { numeric: '840', exponent: 2 },
  EUR: { numeric: '978', exponent: 2 },
  GBP: { numeric: '826', exponent: 2 },
  SGD: { numeric: '702', exponent: 2 },
  AUD: { numeric: '036', exponent: 2 },
  CAD: { numeric: '124', exponent: 2 },
  CHF: { numeric: '756', exponent: 2 },
  THB: { numeric: '764', exponent: 2 },
  MYR: { numeric: '458', exponent: 2 },
  JPY: { numeric: '392', exponent: 0 },
  KRW: { numeric: '410', exponent: 0 },
  VND: { numeric: '704', exponent: 0 },
  KWD: { numeric: '414', exponent: 3 },
  BHD: { numeric: '048', exponent: 3 },
} as const;

export type CurrencyCode = keyof typeof CURRENCIES;

export const isCurrencyCode = (code: string): code is CurrencyCode =>
  Object.prototype.hasOwnProperty.call(CURRENCIES, code);

export const minorUnitExponent = (code: CurrencyCode): number => CURRENCIES[code].exponent;
