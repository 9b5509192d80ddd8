import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Waits for a real condition: `probe` is asked again (every `every` ms) until it answers
 * something other than `undefined` or `false`, which is returned; past `ms` the wait fails,
 * naming `what`. For conditions that raise no event a test could await.
 */
export const waitFor = async <T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 60_000, every = 20): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
};

/**
 * An instant strictly later than every timestamp taken before the call (logs stamp messages
 * in milliseconds): waits for the clock to tick over, not for a fixed time.
 */
export const laterInstant = async (): Promise<Date> => {
  const now = Date.now();
  while (Date.now() <= now) await nextTurn();
  return new Date();
};
