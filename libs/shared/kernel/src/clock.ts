/** Time is injected everywhere so deciders stay pure and tests deterministic. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
