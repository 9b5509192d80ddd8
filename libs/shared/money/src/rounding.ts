/**
 * Named rounding rules for dividing minor units. Both are symmetric around
 * zero, so a returned fee is the exact negative of the fee it returns.
 *  - HALF_UP: ties go away from zero (0.5 -> 1, -0.5 -> -1).
 *  - HALF_EVEN: ties go to the even neighbour (banker's: 0.5 -> 0, 1.5 -> 2).
 */
export type RoundingMode = 'HALF_UP' | 'HALF_EVEN';

export const divideRounded = (numerator: bigint, denominator: bigint, mode: RoundingMode): bigint => {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const neg = numerator < 0n;
  const n = neg ? -numerator : numerator;
  const q = n / denominator;
  const r = n % denominator;
  const twice = r * 2n;
  let up: boolean;
  if (twice > denominator) up = true;
  else if (twice < denominator) up = false;
  else up = mode === 'HALF_UP' ? true : q % 2n === 1n;
  const result = up ? q + 1n : q;
  return neg ? -result : result;
};

/** Fee of `amount` at `bps` basis points (1 bp = 0.01%). 10,000.00 at 38 bps -> 38.00. */
export const feeAtBps = (amount: bigint, bps: number, mode: RoundingMode): bigint => {
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) throw new RangeError(`bps ${bps} out of range`);
  return divideRounded(amount * BigInt(bps), 10_000n, mode);
};
