// For the specs: every way a key can end up in a log line. Node's util.inspect (console.log, pino-pretty) calls the
// value's Symbol.for('nodejs.util.inspect.custom') method; the lint keeps node:util out of this library, specs included.
export const shownForms = (value: object): string[] => {
  const custom = (value as Record<symbol, unknown>)[Symbol.for('nodejs.util.inspect.custom')];
  if (typeof custom !== 'function') throw new Error('no custom inspection: util.inspect would print the fields');
  return [JSON.stringify({ value }), JSON.stringify(value), String(value), `${String(value)}`, String(custom.call(value)), JSON.stringify(Object.entries(value))];
};
