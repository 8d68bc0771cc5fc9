import type { ValidationIssue } from '@baton-ecs/model';
import { show } from '@baton-ecs/model';
import { utcMillis } from './scheduled-action.js';
import { type StepBounds, stepAdjustmentIssues } from './step-rules.js';

/**
 * Cross-field rules, run over the raw input beside the schemas so every
 * problem of an input is reported at once, even when other fields are
 * malformed.
 */

type Loose = Record<string, unknown>;
const rec = (v: unknown): Loose | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : undefined;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const issue = (path: string, rule: string, message: string): ValidationIssue => ({ path, rule, message });

function minMax(r: Loose, prefix: string): ValidationIssue[] {
  const min = num(r.MinCapacity);
  const max = num(r.MaxCapacity);
  return min !== undefined && max !== undefined && min > max
    ? [issue(`${prefix}MaxCapacity`, 'min-max', `must be at least MinCapacity (got ${max} < ${min})`)]
    : [];
}

export function scalableTargetRules(input: unknown): ValidationIssue[] {
  const r = rec(input);
  return r ? minMax(r, '') : [];
}

export function scalingPolicyRules(input: unknown): ValidationIssue[] {
  const r = rec(input);
  if (!r) return [];
  const out: ValidationIssue[] = [];
  const type = str(r.PolicyType) ?? 'StepScaling';
  const tt = rec(r.TargetTrackingScalingPolicyConfiguration);
  const step = rec(r.StepScalingPolicyConfiguration);
  if (type === 'TargetTrackingScaling') {
    if (!tt)
      out.push(
        issue(
          'TargetTrackingScalingPolicyConfiguration',
          'required',
          'is required for TargetTrackingScaling',
        ),
      );
    if (step)
      out.push(
        issue(
          'StepScalingPolicyConfiguration',
          'policy-type',
          'must not be set on a TargetTrackingScaling policy',
        ),
      );
    if (tt) out.push(...targetTrackingRules(tt));
  } else if (type === 'StepScaling') {
    if (!step) out.push(issue('StepScalingPolicyConfiguration', 'required', 'is required for StepScaling'));
    if (tt)
      out.push(
        issue(
          'TargetTrackingScalingPolicyConfiguration',
          'policy-type',
          'must not be set on a StepScaling policy',
        ),
      );
    if (step) out.push(...stepRules(step));
  }
  return out;
}

function targetTrackingRules(tt: Loose): ValidationIssue[] {
  const p = 'TargetTrackingScalingPolicyConfiguration';
  const out: ValidationIssue[] = [];
  const predefined = rec(tt.PredefinedMetricSpecification);
  const custom = rec(tt.CustomizedMetricSpecification);
  if (!predefined === !custom)
    out.push(
      issue(
        p,
        'metric',
        'needs exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification',
      ),
    );
  if (predefined) {
    const type = str(predefined.PredefinedMetricType);
    const label = str(predefined.ResourceLabel);
    if (type === 'ALBRequestCountPerTarget' && !label)
      out.push(
        issue(
          `${p}.PredefinedMetricSpecification.ResourceLabel`,
          'required',
          'is required for ALBRequestCountPerTarget (app/<lb>/<id>/targetgroup/<tg>/<id>)',
        ),
      );
    if (type !== undefined && type !== 'ALBRequestCountPerTarget' && label)
      out.push(
        issue(
          `${p}.PredefinedMetricSpecification.ResourceLabel`,
          'resource-label',
          `is only for ALBRequestCountPerTarget (got one for ${type})`,
        ),
      );
  }
  if (custom) {
    if (custom.Metrics !== undefined)
      out.push(
        issue(
          `${p}.CustomizedMetricSpecification.Metrics`,
          'not-implemented',
          'metric math is not implemented by Baton; name one metric with MetricName and Namespace',
        ),
      );
    else {
      if (!str(custom.MetricName))
        out.push(issue(`${p}.CustomizedMetricSpecification.MetricName`, 'required', 'is required'));
      if (!str(custom.Namespace))
        out.push(issue(`${p}.CustomizedMetricSpecification.Namespace`, 'required', 'is required'));
    }
  }
  return out;
}

function stepRules(step: Loose): ValidationIssue[] {
  const p = 'StepScalingPolicyConfiguration';
  const out: ValidationIssue[] = [];
  const type = str(step.AdjustmentType);
  if (step.MinAdjustmentMagnitude !== undefined && type !== 'PercentChangeInCapacity')
    out.push(
      issue(
        `${p}.MinAdjustmentMagnitude`,
        'min-adjustment-magnitude',
        `applies only to PercentChangeInCapacity (AdjustmentType is ${show(type)})`,
      ),
    );
  const steps = Array.isArray(step.StepAdjustments) ? step.StepAdjustments : [];
  const bounds: StepBounds[] = steps.map((s) => {
    const r = rec(s) ?? {};
    return {
      MetricIntervalLowerBound: num(r.MetricIntervalLowerBound),
      MetricIntervalUpperBound: num(r.MetricIntervalUpperBound),
      ScalingAdjustment: num(r.ScalingAdjustment),
    };
  });
  out.push(...stepAdjustmentIssues(bounds, type, `${p}.StepAdjustments`));
  return out;
}

export function metricAlarmRules(input: unknown): ValidationIssue[] {
  const r = rec(input);
  if (!r) return [];
  const out: ValidationIssue[] = [];
  if (r.Metrics !== undefined)
    out.push(issue('Metrics', 'not-implemented', 'metric math is not implemented by Baton; name one metric'));
  else {
    if (!str(r.MetricName)) out.push(issue('MetricName', 'required', 'is required'));
    if (!str(r.Namespace)) out.push(issue('Namespace', 'required', 'is required'));
  }
  const n = num(r.EvaluationPeriods);
  const m = num(r.DatapointsToAlarm);
  if (n !== undefined && m !== undefined && m > n)
    out.push(issue('DatapointsToAlarm', 'range', `must be at most EvaluationPeriods (got ${m} > ${n})`));
  const period = num(r.Period);
  if (period !== undefined && n !== undefined) {
    const limit = period >= 3600 ? 7 * 86400 : 86400;
    if (period * n > limit)
      out.push(
        issue(
          'EvaluationPeriods',
          'range',
          `Period × EvaluationPeriods must be at most ${limit / 86400 === 1 ? 'one day' : 'seven days'} (got ${period * n} s)`,
        ),
      );
  }
  return out;
}

export function scheduledActionRules(input: unknown): ValidationIssue[] {
  const r = rec(input);
  if (!r) return [];
  const out: ValidationIssue[] = [];
  const action = rec(r.ScalableTargetAction);
  if (action) {
    if (action.MinCapacity === undefined && action.MaxCapacity === undefined)
      out.push(issue('ScalableTargetAction', 'required', 'needs MinCapacity, MaxCapacity or both'));
    out.push(...minMax(action, 'ScalableTargetAction.'));
  }
  const start = timestamp(r.StartTime);
  const end = timestamp(r.EndTime);
  if (start !== undefined && end !== undefined && end <= start)
    out.push(issue('EndTime', 'range', 'must be after StartTime'));
  return out;
}

const timestamp = utcMillis;

/**
 * A scheduled action that sets one limit must not cross the target's other one: "you must include
 * both sizes to ensure that the new minimum capacity is not greater than the maximum capacity, or the
 * new maximum capacity is not less than the minimum capacity"
 * (https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-policy-overview.html).
 * Checked by PutScheduledAction against the scalable target as registered then.
 */
export function scheduledActionLimitIssues(
  action: { readonly MinCapacity?: number | undefined; readonly MaxCapacity?: number | undefined },
  target: { readonly MinCapacity: number; readonly MaxCapacity: number },
): ValidationIssue[] {
  if (
    action.MinCapacity !== undefined &&
    action.MaxCapacity === undefined &&
    action.MinCapacity > target.MaxCapacity
  )
    return [
      issue(
        'ScalableTargetAction.MinCapacity',
        'min-max',
        `must not be greater than the scalable target's MaxCapacity (${target.MaxCapacity}) unless MaxCapacity is set too (got ${action.MinCapacity})`,
      ),
    ];
  if (
    action.MaxCapacity !== undefined &&
    action.MinCapacity === undefined &&
    action.MaxCapacity < target.MinCapacity
  )
    return [
      issue(
        'ScalableTargetAction.MaxCapacity',
        'min-max',
        `must not be less than the scalable target's MinCapacity (${target.MinCapacity}) unless MinCapacity is set too (got ${action.MaxCapacity})`,
      ),
    ];
  return [];
}

export function capacityProviderRules(input: unknown): ValidationIssue[] {
  const r = rec(input);
  const asg = rec(r?.autoScalingGroupProvider);
  if (!asg) return [];
  const out: ValidationIssue[] = [];
  const p = 'autoScalingGroupProvider';
  const ms = rec(asg.managedScaling);
  const lo = num(ms?.minimumScalingStepSize);
  const hi = num(ms?.maximumScalingStepSize);
  if (lo !== undefined && hi !== undefined && lo > hi)
    out.push(
      issue(
        `${p}.managedScaling.maximumScalingStepSize`,
        'range',
        `must be at least minimumScalingStepSize (got ${hi} < ${lo})`,
      ),
    );
  const min = num(asg.minSize);
  const max = num(asg.maxSize);
  if (min !== undefined && max !== undefined && min > max)
    out.push(issue(`${p}.maxSize`, 'range', `must be at least minSize (got ${max} < ${min})`));
  return out;
}
