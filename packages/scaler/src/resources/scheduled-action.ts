import { ecsObject, ignored, show, Timestamp } from '@baton-ecs/model';
import { isLeft } from 'fp-ts/lib/Either.js';
import { z } from 'zod';
import { parseSchedule } from '../schedule/expression.js';
import { isValidTimeZone } from '../schedule/time-zone.js';
import { aasName, intAtLeast, ResourceId, ScalableDimension, ServiceNamespace } from './fields.js';

export const ScalableTargetAction = ecsObject({
  MinCapacity: intAtLeast(0).optional(),
  MaxCapacity: intAtLeast(0).optional(),
});
export type ScalableTargetAction = z.output<typeof ScalableTargetAction>;

const Schedule = z
  .string()
  .min(1)
  .max(1600)
  .superRefine((v, ctx) => {
    const parsed = parseSchedule(v);
    if (isLeft(parsed)) ctx.addIssue({ code: 'custom', message: parsed.left, params: { rule: 'schedule' } });
  });

const Timezone = z.string().refine(isValidTimeZone, {
  error: (iss) => `must be an IANA time zone such as Europe/Berlin or Etc/GMT+9 (got ${show(iss.input)})`,
  params: { rule: 'time-zone' },
});

/**
 * PutScheduledAction's StartTime/EndTime. A date-time written without an offset is UTC, as AWS reads
 * it — never the host's local time (JavaScript's Date.parse would take it as local).
 */
export const UtcTimestamp = z.union([z.number(), z.string(), z.date()]).transform((v, ctx) => {
  const ms = utcMillis(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a timestamp (got ${show(v)})` });
    return z.NEVER;
  }
  return ms;
});

/** Epoch ms of a timestamp: numbers below 1e11 are seconds; an ISO date-time without offset is UTC. */
export function utcMillis(v: unknown): number | undefined {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return Number.isFinite(v) ? (v < 1e11 ? Math.round(v * 1000) : v) : undefined;
  if (typeof v !== 'string') return undefined;
  const local = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v.trim());
  const ms = Date.parse(local ? `${v.trim().replace(' ', 'T')}Z` : v);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * A scheduled action, as PutScheduledAction takes it: at the scheduled times
 * it sets the target's MinCapacity and/or MaxCapacity, and the desired count
 * moves into the new range.
 */
export const ScheduledAction = ecsObject({
  ScheduledActionName: aasName('ScheduledActionName'),
  ServiceNamespace,
  ResourceId,
  ScalableDimension,
  Schedule,
  /** IANA zone for at() and cron(); UTC when absent. */
  Timezone: Timezone.optional(),
  StartTime: UtcTimestamp.optional(),
  EndTime: UtcTimestamp.optional(),
  ScalableTargetAction,
  ScheduledActionARN: ignored('output-only'),
  CreationTime: Timestamp.optional(),
});
export type ScheduledAction = z.output<typeof ScheduledAction>;
export type ScheduledActionInput = z.input<typeof ScheduledAction>;
