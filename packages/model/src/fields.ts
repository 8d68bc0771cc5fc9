import { z } from 'zod';

/**
 * Field helpers shared by every resource schema: ECS objects keep fields
 * Baton does not use (so ECS JSON round-trips), and the warnings pass later
 * tells the user which of them Baton ignores and why.
 */

export type IgnoredReason = 'aws-only' | 'not-implemented' | 'output-only';

const ignoredFields = new WeakMap<z.ZodType, IgnoredReason>();

/** A field Baton accepts and keeps but does not act on. */
export function ignored(reason: IgnoredReason): z.ZodOptional<z.ZodUnknown> {
  const schema = z.unknown().optional();
  ignoredFields.set(schema, reason);
  return schema;
}

export function ignoredReason(schema: z.ZodType): IgnoredReason | undefined {
  return ignoredFields.get(schema);
}

/** An ECS-shaped object: unknown keys are kept (and reported as warnings), never rejected. */
export function ecsObject<S extends z.ZodRawShape>(shape: S) {
  return z.looseObject(shape);
}

/** An integer within [min, max], with the error ECS users expect to read. */
export function intBetween(min: number, max: number) {
  return z
    .number()
    .int({ error: (iss) => `must be a whole number (got ${show(iss.input)})` })
    .refine((v) => v >= min && v <= max, {
      error: (iss) => `must be between ${min} and ${max} (got ${show(iss.input)})`,
    });
}

/** An integer >= min. */
export function intAtLeast(min: number) {
  return z
    .number()
    .int({ error: (iss) => `must be a whole number (got ${show(iss.input)})` })
    .refine((v) => v >= min, { error: (iss) => `must be at least ${min} (got ${show(iss.input)})` });
}

/** A name in ECS's alphabet: letters, digits, hyphens and underscores, 1–255 characters. */
export function ecsName(what: string) {
  return z.string().refine((v) => /^[A-Za-z0-9_-]{1,255}$/.test(v), {
    error: (iss) => `${what} must be 1–255 letters, digits, hyphens or underscores (got ${show(iss.input)})`,
  });
}

/**
 * Timestamps are epoch milliseconds in Baton. ECS JSON carries them as ISO
 * strings or epoch seconds (the AWS CLI prints either), so both are accepted:
 * numbers below 1e11 are read as seconds.
 */
export const Timestamp = z.union([z.number(), z.string(), z.date()]).transform((v, ctx) => {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v < 1e11 ? Math.round(v * 1000) : v;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `must be a timestamp (got ${show(v)})` });
    return z.NEVER;
  }
  return ms;
});

export const KeyValuePair = ecsObject({ name: z.string().min(1), value: z.string() });
export type KeyValuePair = z.output<typeof KeyValuePair>;

export const Tag = ecsObject({ key: z.string().min(1).max(128), value: z.string().max(256).optional() });
export type Tag = z.output<typeof Tag>;

/** Renders an input value for an error message, short and unambiguous. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
