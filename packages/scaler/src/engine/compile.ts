import type { AlarmSpec } from '../metrics/alarm.js';
import { type TargetTrackingOptions, trackedMetric } from '../policies/target-tracking.js';
import type { MetricAlarm } from '../resources/metric-alarm.js';
import { alarmActionNames, type ScalingConfiguration } from '../resources/parse.js';
import {
  isStepScaling,
  isTargetTracking,
  type StepScalingPolicy,
  type TargetTrackingPolicy,
} from '../resources/scaling-policy.js';

/** A target tracking policy with the two alarms AAS would create for it. */
export interface TrackingBinding {
  readonly policy: TargetTrackingPolicy;
  readonly high: AlarmSpec;
  /** Absent with DisableScaleIn. */
  readonly low: AlarmSpec | undefined;
}

/** A user alarm and the step policies its actions trigger. */
export interface AlarmBinding {
  readonly alarm: MetricAlarm;
  readonly spec: AlarmSpec;
  readonly policies: readonly StepScalingPolicy[];
}

export interface CompiledConfiguration {
  readonly configuration: ScalingConfiguration;
  readonly tracking: readonly TrackingBinding[];
  readonly alarms: readonly AlarmBinding[];
  /** Every alarm to evaluate, by name. */
  readonly specs: ReadonlyMap<string, AlarmSpec>;
}

export function targetTrackingAlarmName(
  resourceId: string,
  policyName: string,
  which: 'High' | 'Low',
): string {
  return `TargetTracking-${resourceId}-Alarm${which}-${policyName}`;
}

export function compileConfiguration(
  configuration: ScalingConfiguration,
  options: TargetTrackingOptions,
): CompiledConfiguration {
  const resourceId = configuration.target.ResourceId;
  const specs = new Map<string, AlarmSpec>();
  const tracking: TrackingBinding[] = [];
  for (const policy of configuration.policies) {
    if (!isTargetTracking(policy)) continue;
    const c = policy.TargetTrackingScalingPolicyConfiguration;
    const metric = trackedMetric(c);
    const periodMs = options.periodSeconds * 1000;
    const high: AlarmSpec = {
      name: targetTrackingAlarmName(resourceId, policy.PolicyName, 'High'),
      metric,
      periodMs,
      evaluationPeriods: options.scaleOutEvaluationPeriods,
      datapointsToAlarm: options.scaleOutEvaluationPeriods,
      threshold: c.TargetValue,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'missing',
    };
    const low: AlarmSpec | undefined = c.DisableScaleIn
      ? undefined
      : {
          name: targetTrackingAlarmName(resourceId, policy.PolicyName, 'Low'),
          metric,
          periodMs,
          evaluationPeriods: options.scaleInEvaluationPeriods,
          datapointsToAlarm: options.scaleInEvaluationPeriods,
          threshold: c.TargetValue * options.scaleInThresholdRatio,
          comparison: 'LessThanThreshold',
          treatMissingData: 'missing',
        };
    specs.set(high.name, high);
    if (low) specs.set(low.name, low);
    tracking.push({ policy, high, low });
  }
  const stepPolicies = configuration.policies.filter(isStepScaling);
  const alarms: AlarmBinding[] = configuration.alarms.map((alarm) => {
    const spec = alarmSpec(alarm);
    specs.set(spec.name, spec);
    const policies = alarm.ActionsEnabled
      ? stepPolicies.filter((p) => alarm.AlarmActions.some((a) => alarmActionNames(a, p)))
      : [];
    return { alarm, spec, policies };
  });
  return { configuration, tracking, alarms, specs };
}

export function alarmSpec(alarm: MetricAlarm): AlarmSpec {
  return {
    name: alarm.AlarmName,
    metric: {
      namespace: alarm.Namespace ?? '',
      metricName: alarm.MetricName ?? '',
      dimensions: Object.fromEntries(alarm.Dimensions.map((d) => [d.Name, d.Value])),
      statistic: alarm.Statistic,
    },
    periodMs: alarm.Period * 1000,
    evaluationPeriods: alarm.EvaluationPeriods,
    datapointsToAlarm: alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods,
    threshold: alarm.Threshold,
    comparison: alarm.ComparisonOperator,
    treatMissingData: alarm.TreatMissingData,
  };
}

/** Whether two specs read the same samples the same way (so an alarm's window can be kept). */
export function sameWindow(a: AlarmSpec, b: AlarmSpec): boolean {
  return (
    a.periodMs === b.periodMs &&
    a.metric.namespace === b.metric.namespace &&
    a.metric.metricName === b.metric.metricName &&
    a.metric.statistic === b.metric.statistic &&
    JSON.stringify(a.metric.dimensions) === JSON.stringify(b.metric.dimensions)
  );
}
