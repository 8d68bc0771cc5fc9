import type { MetricQuery } from '../metrics/datapoint.js';
import type {
  PredefinedMetricType,
  TargetTrackingScalingPolicyConfiguration,
} from '../resources/scaling-policy.js';

/**
 * The CloudWatch metric behind each predefined metric type. A scaler serves
 * one service, so these name no dimensions: feed it that service's metrics.
 */
export const predefinedMetrics: Record<PredefinedMetricType, MetricQuery> = {
  ECSServiceAverageCPUUtilization: {
    namespace: 'AWS/ECS',
    metricName: 'CPUUtilization',
    dimensions: {},
    statistic: 'Average',
  },
  ECSServiceAverageMemoryUtilization: {
    namespace: 'AWS/ECS',
    metricName: 'MemoryUtilization',
    dimensions: {},
    statistic: 'Average',
  },
  ALBRequestCountPerTarget: {
    namespace: 'AWS/ApplicationELB',
    metricName: 'RequestCountPerTarget',
    dimensions: {},
    statistic: 'Sum',
  },
};

/** The metric a target tracking policy tracks. */
export function trackedMetric(config: TargetTrackingScalingPolicyConfiguration): MetricQuery {
  const predefined = config.PredefinedMetricSpecification;
  if (predefined) return predefinedMetrics[predefined.PredefinedMetricType];
  const c = config.CustomizedMetricSpecification;
  return {
    namespace: c?.Namespace ?? '',
    metricName: c?.MetricName ?? '',
    dimensions: Object.fromEntries((c?.Dimensions ?? []).map((d) => [d.Name, d.Value])),
    statistic: c?.Statistic ?? 'Average',
  };
}

/**
 * The alarms AAS creates for a target tracking policy on an ECS service:
 * AlarmHigh, 3 of 3 one-minute periods above the target, and AlarmLow, 15
 * of 15 below 90 % of it. All of it is adjustable, so tests and short
 * real-engine runs can use seconds.
 */
export interface TargetTrackingOptions {
  readonly periodSeconds: number;
  readonly scaleOutEvaluationPeriods: number;
  readonly scaleInEvaluationPeriods: number;
  /** AlarmLow's threshold as a fraction of the target value. */
  readonly scaleInThresholdRatio: number;
  /**
   * The gradual scale-in rule: one scale-in removes at most this percent
   * of the current capacity (and at least one task).
   */
  readonly scaleInMaxStepPercent: number;
}

export const defaultTargetTrackingOptions: TargetTrackingOptions = {
  periodSeconds: 60,
  scaleOutEvaluationPeriods: 3,
  scaleInEvaluationPeriods: 15,
  scaleInThresholdRatio: 0.9,
  scaleInMaxStepPercent: 10,
};

/** Capacity that brings the metric to the target if it scales with capacity: ceil(base × metric / target). */
export function proportionalCapacity(base: number, metric: number, target: number): number {
  // The epsilon keeps 4 × 75 / 75 at 4 whatever the floating point does.
  return Math.max(0, Math.ceil((base * metric) / target - 1e-9));
}

/**
 * Scale-in, gradually: towards the proportional capacity, but removing at
 * most `maxStepPercent` of the current capacity (at least one task) at a
 * time. The ceiling in the proportional estimate already keeps the metric at
 * or under the target afterwards.
 */
export function gradualScaleIn(current: number, proportional: number, maxStepPercent: number): number {
  const step = Math.max(1, Math.floor((current * maxStepPercent) / 100));
  return Math.min(current, Math.max(proportional, current - step));
}
