import { ecsObject, ignored, show } from '@baton-ecs/model';
import { z } from 'zod';
import { intAtLeast, MetricDimension, MetricStatistic } from './fields.js';

export const ComparisonOperator = z.enum([
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
]);
export type ComparisonOperator = z.output<typeof ComparisonOperator>;

/**
 * How a period with no datapoint counts (CloudWatch's TreatMissingData):
 * `breaching` / `notBreaching` substitute a value; `ignore` keeps the alarm's
 * state when the missing periods could change the verdict; `missing` goes to
 * INSUFFICIENT_DATA only when every period is missing.
 */
export const TreatMissingData = z.enum(['missing', 'breaching', 'notBreaching', 'ignore']);
export type TreatMissingData = z.output<typeof TreatMissingData>;

export const AlarmState = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
export type AlarmState = z.output<typeof AlarmState>;

/** CloudWatch accepts 10, 20 and 30 s (high resolution) or any multiple of 60. */
const Period = z
  .number()
  .refine((v) => Number.isInteger(v) && (v === 10 || v === 20 || v === 30 || (v > 0 && v % 60 === 0)), {
    error: (iss) => `must be 10, 20, 30 or a multiple of 60 seconds (got ${show(iss.input)})`,
  });

/**
 * A metric alarm, as `aws cloudwatch put-metric-alarm` takes it. Its
 * AlarmActions name the step scaling policies it triggers (by PolicyARN or
 * PolicyName). Target tracking policies make their own alarms; these are for
 * step scaling.
 */
export const MetricAlarm = ecsObject({
  AlarmName: z.string().min(1).max(255),
  AlarmDescription: z.string().max(1024).optional(),
  ActionsEnabled: z.boolean().default(true),
  AlarmActions: z.array(z.string().min(1)).max(5).default([]),
  MetricName: z.string().min(1).max(255).optional(),
  Namespace: z.string().min(1).max(255).optional(),
  Dimensions: z.array(MetricDimension).max(30).default([]),
  Statistic: MetricStatistic.default('Average'),
  /** Seconds. */
  Period,
  EvaluationPeriods: intAtLeast(1),
  /** M of "M out of N"; defaults to EvaluationPeriods. */
  DatapointsToAlarm: intAtLeast(1).optional(),
  Threshold: z.number(),
  ComparisonOperator,
  TreatMissingData: TreatMissingData.default('missing'),
  Unit: z.string().optional(),
  OKActions: ignored('not-implemented'),
  InsufficientDataActions: ignored('not-implemented'),
  ExtendedStatistic: ignored('not-implemented'),
  EvaluateLowSampleCountPercentile: ignored('not-implemented'),
  ThresholdMetricId: ignored('not-implemented'),
  Metrics: ignored('not-implemented'),
  Tags: ignored('aws-only'),
  AlarmArn: ignored('output-only'),
  StateValue: ignored('output-only'),
  StateReason: ignored('output-only'),
  StateReasonData: ignored('output-only'),
  StateUpdatedTimestamp: ignored('output-only'),
  StateTransitionedTimestamp: ignored('output-only'),
  AlarmConfigurationUpdatedTimestamp: ignored('output-only'),
  EvaluationState: ignored('output-only'),
});
export type MetricAlarm = z.output<typeof MetricAlarm>;
export type MetricAlarmInput = z.input<typeof MetricAlarm>;
