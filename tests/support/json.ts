/** Small helpers for narrowing untyped JSON (Slack payloads, parsed bodies) without `any`. */

export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown): JsonObject | undefined {
  return isRecord(value) ? value : undefined;
}

export function asArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A string argument as Slack reads it: numbers and booleans arrive stringified in forms. */
export function argString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Slack treats `true`, `1` and `"true"`/`"1"` as true for boolean arguments. */
export function argBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === 'true' || value === '1';
}
