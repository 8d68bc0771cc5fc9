/**
 * Defensive views over raw input, for the cross-field rules that run beside
 * schema validation: they must report their findings even when other fields
 * of the same input are malformed, so all problems are reported at once.
 */
export type Loose = Record<string, unknown>;

export function asRecord(v: unknown): Loose | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : undefined;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function asInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}
