import {
  type Parsed,
  type ParseResult,
  type ParseWarning,
  resourceParser,
  ValidationError,
  type ValidationIssue,
} from '@baton-ecs/model';
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';
import { CapacityProvider } from './capacity-provider.js';
import { MetricAlarm } from './metric-alarm.js';
import {
  capacityProviderRules,
  metricAlarmRules,
  scalableTargetRules,
  scalingPolicyRules,
  scheduledActionRules,
} from './rules.js';
import { ScalableTarget } from './scalable-target.js';
import { ScalingPolicy } from './scaling-policy.js';
import { ScheduledAction } from './scheduled-action.js';

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** AAS's CLI wraps objects in their plural: `{"ScalingPolicies": [{…}]}`. */
const makeParser = resourceParser;

/** RegisterScalableTarget input, or a DescribeScalableTargets entry. */
export const parseScalableTarget = makeParser({
  resource: 'scalable target',
  schema: ScalableTarget,
  envelopes: ['ScalableTargets'],
  rules: scalableTargetRules,
});

/** PutScalingPolicy input, or a DescribeScalingPolicies entry. */
export const parseScalingPolicy = makeParser({
  resource: 'scaling policy',
  schema: ScalingPolicy,
  envelopes: ['ScalingPolicies'],
  rules: scalingPolicyRules,
});

/** PutMetricAlarm input, or a DescribeAlarms entry. */
export const parseMetricAlarm = makeParser({
  resource: 'metric alarm',
  schema: MetricAlarm,
  envelopes: ['MetricAlarms'],
  rules: metricAlarmRules,
});

/** PutScheduledAction input, or a DescribeScheduledActions entry. */
export const parseScheduledAction = makeParser({
  resource: 'scheduled action',
  schema: ScheduledAction,
  envelopes: ['ScheduledActions'],
  rules: scheduledActionRules,
});

/** CreateCapacityProvider input, or a DescribeCapacityProviders entry. */
export const parseCapacityProvider = makeParser({
  resource: 'capacity provider',
  schema: CapacityProvider,
  envelopes: ['capacityProvider', 'capacityProviders'],
  rules: capacityProviderRules,
});

/** Everything that scales one service: its target, policies, their alarms and its scheduled actions. */
export interface ScalingConfiguration {
  readonly target: ScalableTarget;
  readonly policies: readonly ScalingPolicy[];
  readonly alarms: readonly MetricAlarm[];
  readonly scheduledActions: readonly ScheduledAction[];
}

/**
 * Parses `{ ScalableTarget, ScalingPolicies, MetricAlarms, ScheduledActions }`
 * and checks that the parts belong together: one ResourceId, unique names,
 * and alarm actions that name step scaling policies of this target.
 */
export function parseScalingConfiguration(
  json: unknown,
): Either<ValidationError, Parsed<ScalingConfiguration>> {
  const r = asRecord(json) ?? {};
  const issues: ValidationIssue[] = [];
  const warnings: ParseWarning[] = [];
  const take = <T>(result: ParseResult<T>, path: string): T | undefined => {
    if (isLeft(result)) {
      issues.push(...result.left.issues.map((i) => ({ ...i, path: i.path ? `${path}.${i.path}` : path })));
      return undefined;
    }
    warnings.push(...result.right.warnings.map((w) => ({ ...w, path: w.path ? `${path}.${w.path}` : path })));
    return result.right.value;
  };
  const list = <T>(key: string, parse: (j: unknown) => ParseResult<T>): T[] => {
    const raw = r[key];
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) {
      issues.push({ path: key, rule: 'type', message: 'must be a list' });
      return [];
    }
    return raw.flatMap((item, i) => {
      const v = take(parse(item), `${key}[${i}]`);
      return v === undefined ? [] : [v];
    });
  };
  const target =
    r.ScalableTarget === undefined
      ? undefined
      : take(parseScalableTarget(r.ScalableTarget), 'ScalableTarget');
  if (r.ScalableTarget === undefined)
    issues.push({ path: 'ScalableTarget', rule: 'required', message: 'is required' });
  const policies = list('ScalingPolicies', parseScalingPolicy);
  const alarms = list('MetricAlarms', parseMetricAlarm);
  const scheduledActions = list('ScheduledActions', parseScheduledAction);
  if (target) issues.push(...configurationRules({ target, policies, alarms, scheduledActions }));
  if (issues.length > 0 || !target) return left(new ValidationError('scaling configuration', issues));
  return right({ value: { target, policies, alarms, scheduledActions }, warnings });
}

/** Whether an alarm action (a PolicyARN or a PolicyName) names the policy. */
export function alarmActionNames(
  action: string,
  policy: Pick<ScalingPolicy, 'PolicyName' | 'PolicyARN'>,
): boolean {
  return (
    action === policy.PolicyName ||
    (policy.PolicyARN !== undefined && action === policy.PolicyARN) ||
    action.endsWith(`:policyName/${policy.PolicyName}`)
  );
}

function configurationRules(c: ScalingConfiguration): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const resourceId = c.target.ResourceId;
  c.policies.forEach((p, i) => {
    if (p.ResourceId !== resourceId)
      out.push({
        path: `ScalingPolicies[${i}].ResourceId`,
        rule: 'resource-id',
        message: `must be the scalable target's ${resourceId} (got ${p.ResourceId})`,
      });
  });
  c.scheduledActions.forEach((a, i) => {
    if (a.ResourceId !== resourceId)
      out.push({
        path: `ScheduledActions[${i}].ResourceId`,
        rule: 'resource-id',
        message: `must be the scalable target's ${resourceId} (got ${a.ResourceId})`,
      });
  });
  out.push(
    ...duplicates(
      c.policies.map((p) => p.PolicyName),
      'ScalingPolicies',
      'PolicyName',
    ),
  );
  out.push(
    ...duplicates(
      c.alarms.map((a) => a.AlarmName),
      'MetricAlarms',
      'AlarmName',
    ),
  );
  out.push(
    ...duplicates(
      c.scheduledActions.map((a) => a.ScheduledActionName),
      'ScheduledActions',
      'ScheduledActionName',
    ),
  );
  c.alarms.forEach((alarm, i) => {
    alarm.AlarmActions.forEach((action, j) => {
      const policy = c.policies.find((p) => alarmActionNames(action, p));
      const path = `MetricAlarms[${i}].AlarmActions[${j}]`;
      if (!policy)
        out.push({
          path,
          rule: 'alarm-action',
          message: `names no scaling policy of this target (got "${action}")`,
        });
      else if (policy.PolicyType !== 'StepScaling')
        out.push({
          path,
          rule: 'alarm-action',
          message: `names target tracking policy ${policy.PolicyName}, which makes its own alarms; alarms trigger step scaling policies`,
        });
    });
  });
  return out;
}

function duplicates(names: readonly string[], list: string, field: string): ValidationIssue[] {
  const seen = new Map<string, number>();
  const out: ValidationIssue[] = [];
  names.forEach((n, i) => {
    const first = seen.get(n);
    if (first !== undefined)
      out.push({
        path: `${list}[${i}].${field}`,
        rule: 'duplicate',
        message: `"${n}" is already used by ${list}[${first}]`,
      });
    else seen.set(n, i);
  });
  return out;
}
