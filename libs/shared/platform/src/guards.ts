import { createHash, timingSafeEqual } from 'node:crypto';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Constant-time comparison of two hex digests. */
export const sameDigest = (a: string, b: string): boolean => {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
};

export const bearerOf = (header: string | undefined): string | undefined => {
  const m = /^Bearer ([A-Za-z0-9._~+/=-]{8,200})$/.exec(header ?? '');
  return m?.[1];
};
