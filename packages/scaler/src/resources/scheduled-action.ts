import { ecsObject, ignored, show, Timestamp } from '@baton/model';
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
  StartTime: Timestamp.optional(),
  EndTime: Timestamp.optional(),
  ScalableTargetAction,
  ScheduledActionARN: ignored('output-only'),
  CreationTime: Timestamp.optional(),
});
export type ScheduledAction = z.output<typeof ScheduledAction>;
export type ScheduledActionInput = z.input<typeof ScheduledAction>;
