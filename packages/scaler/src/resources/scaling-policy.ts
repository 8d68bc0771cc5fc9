import { ecsObject, ignored, Timestamp } from '@baton-ecs/model';
import { z } from 'zod';
import {
  aasName,
  intAtLeast,
  MetricDimension,
  MetricStatistic,
  ResourceId,
  ScalableDimension,
  ServiceNamespace,
} from './fields.js';

/** The predefined metrics AAS offers for ECS services. */
export const PredefinedMetricType = z.enum([
  'ECSServiceAverageCPUUtilization',
  'ECSServiceAverageMemoryUtilization',
  'ALBRequestCountPerTarget',
]);
export type PredefinedMetricType = z.output<typeof PredefinedMetricType>;

export const PredefinedMetricSpecification = ecsObject({
  PredefinedMetricType,
  /** Names the target group for ALBRequestCountPerTarget: `app/<lb>/<id>/targetgroup/<tg>/<id>`. */
  ResourceLabel: z.string().min(1).max(1023).optional(),
});
export type PredefinedMetricSpecification = z.output<typeof PredefinedMetricSpecification>;

export const CustomizedMetricSpecification = ecsObject({
  MetricName: z.string().min(1).optional(),
  Namespace: z.string().min(1).optional(),
  Dimensions: z.array(MetricDimension).default([]),
  Statistic: MetricStatistic.default('Average'),
  Unit: z.string().optional(),
  Metrics: ignored('not-implemented'),
});
export type CustomizedMetricSpecification = z.output<typeof CustomizedMetricSpecification>;

export const TargetTrackingScalingPolicyConfiguration = ecsObject({
  TargetValue: z.number().refine((v) => v > 0 && Number.isFinite(v), {
    error: 'must be a positive number',
  }),
  PredefinedMetricSpecification: PredefinedMetricSpecification.optional(),
  CustomizedMetricSpecification: CustomizedMetricSpecification.optional(),
  /** Seconds; AAS's default for ECS services is 300. */
  ScaleOutCooldown: intAtLeast(0).default(300),
  ScaleInCooldown: intAtLeast(0).default(300),
  DisableScaleIn: z.boolean().default(false),
});
export type TargetTrackingScalingPolicyConfiguration = z.output<
  typeof TargetTrackingScalingPolicyConfiguration
>;

export const AdjustmentType = z.enum(['ChangeInCapacity', 'PercentChangeInCapacity', 'ExactCapacity']);
export type AdjustmentType = z.output<typeof AdjustmentType>;

/**
 * One step: the adjustment applies when `metric - threshold` lies between the
 * bounds (absent lower = -infinity, absent upper = +infinity).
 */
export const StepAdjustment = ecsObject({
  MetricIntervalLowerBound: z.number().optional(),
  MetricIntervalUpperBound: z.number().optional(),
  ScalingAdjustment: z.number().int({ error: 'must be a whole number' }),
});
export type StepAdjustment = z.output<typeof StepAdjustment>;

export const MetricAggregationType = z.enum(['Average', 'Minimum', 'Maximum']);
export type MetricAggregationType = z.output<typeof MetricAggregationType>;

export const StepScalingPolicyConfiguration = ecsObject({
  AdjustmentType,
  StepAdjustments: z.array(StepAdjustment).min(1),
  MinAdjustmentMagnitude: intAtLeast(1).optional(),
  /** Seconds; 300 by default. */
  Cooldown: intAtLeast(0).default(300),
  MetricAggregationType: MetricAggregationType.default('Average'),
});
export type StepScalingPolicyConfiguration = z.output<typeof StepScalingPolicyConfiguration>;

export const PolicyType = z.enum(['TargetTrackingScaling', 'StepScaling']);
export type PolicyType = z.output<typeof PolicyType>;

/** A scaling policy, as PutScalingPolicy takes it and DescribeScalingPolicies prints it. */
export const ScalingPolicy = ecsObject({
  PolicyName: aasName('PolicyName'),
  ServiceNamespace,
  ResourceId,
  ScalableDimension,
  PolicyType: PolicyType.default('StepScaling'),
  TargetTrackingScalingPolicyConfiguration: TargetTrackingScalingPolicyConfiguration.optional(),
  StepScalingPolicyConfiguration: StepScalingPolicyConfiguration.optional(),
  PolicyARN: z.string().optional(),
  CreationTime: Timestamp.optional(),
  Alarms: ignored('output-only'),
  PredictiveScalingPolicyConfiguration: ignored('not-implemented'),
});
export type ScalingPolicy = z.output<typeof ScalingPolicy>;
export type ScalingPolicyInput = z.input<typeof ScalingPolicy>;

export type TargetTrackingPolicy = ScalingPolicy & {
  readonly PolicyType: 'TargetTrackingScaling';
  readonly TargetTrackingScalingPolicyConfiguration: TargetTrackingScalingPolicyConfiguration;
};

export type StepScalingPolicy = ScalingPolicy & {
  readonly PolicyType: 'StepScaling';
  readonly StepScalingPolicyConfiguration: StepScalingPolicyConfiguration;
};

export function isTargetTracking(p: ScalingPolicy): p is TargetTrackingPolicy {
  return p.PolicyType === 'TargetTrackingScaling' && p.TargetTrackingScalingPolicyConfiguration !== undefined;
}

export function isStepScaling(p: ScalingPolicy): p is StepScalingPolicy {
  return p.PolicyType === 'StepScaling' && p.StepScalingPolicyConfiguration !== undefined;
}
