/** JSON values: what an answer or an audit entry may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** bigint -> decimal string, Date -> ISO instant, undefined members dropped; anything else non-JSON is refused. */
export const toJsonSafe = (value: unknown): JsonValue => {
  switch (typeof value) {
    case 'bigint':
      return value.toString(10);
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} is not JSON-safe`);
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : toJsonSafe(v)));
      if (value instanceof Date) return value.toISOString();
      const out: { [key: string]: JsonValue } = {};
      for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonSafe(v);
      return out;
    }
    default:
      throw new TypeError(`a ${typeof value} is not JSON-safe`);
  }
};
