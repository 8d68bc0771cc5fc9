import type { AlarmEvaluation } from '../metrics/alarm.js';
import { aggregate } from '../metrics/datapoint.js';
import { adjustedCapacity, findStep } from '../policies/step-adjustment.js';
import {
  gradualScaleIn,
  proportionalCapacity,
  type TargetTrackingOptions,
} from '../policies/target-tracking.js';
import type { AlarmBinding, CompiledConfiguration } from './compile.js';
import type { ScalingRequest } from './decide.js';

/** Alarm states by name, as of this evaluation. */
export type AlarmStates = ReadonlyMap<string, AlarmEvaluation>;

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

function newest(values: readonly (number | undefined)[]): number | undefined {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== undefined) return values[i];
  return undefined;
}

/**
 * What every policy asks for, given its alarms' states. Target tracking:
 * AlarmHigh in ALARM asks to scale out to ceil(capacity × metric / target);
 * AlarmLow in ALARM asks to scale in gradually towards it (the newest
 * datapoint is the metric). Step scaling: each alarm in ALARM invokes its
 * policies with the alarm's datapoints aggregated by the policy's
 * MetricAggregationType, and the step that value falls in.
 */
export function scalingRequests(
  compiled: CompiledConfiguration,
  states: AlarmStates,
  current: number,
  options: TargetTrackingOptions,
  notes: string[],
  /** The newest real datapoint in an alarm's evaluation range (for scaling from zero). */
  newestDatapoint: (alarmName: string) => number | undefined = () => undefined,
): { requests: ScalingRequest[]; targetTrackingScaleInAgreed: boolean } {
  const requests: ScalingRequest[] = [];
  let lows = 0;
  let lowsInAlarm = 0;
  for (const { policy, high, low } of compiled.tracking) {
    const c = policy.TargetTrackingScalingPolicyConfiguration;
    const cooldowns = {
      scaleOutCooldownMs: c.ScaleOutCooldown * 1000,
      scaleInCooldownMs: c.ScaleInCooldown * 1000,
    };
    const target = c.TargetValue;
    const hi = states.get(high.name);
    const hiValue = hi?.state === 'ALARM' ? newest(hi.datapoints) : undefined;
    const fromZero = current === 0 ? newestDatapoint(high.name) : undefined;
    if (fromZero !== undefined && fromZero > target) {
      // Scaling from zero (ECS service auto scaling, considerations: "when actual capacity is 0 and
      // the metric indicates that there is workload demand, Service Auto Scaling waits for one data
      // point to be sent before scaling out. In this case, it scales out by the minimum possible
      // amount as a starting point and then resumes scaling based on the actual running task
      // count"): one datapoint above the target is enough, and the step is one task.
      // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html
      requests.push({
        policyName: policy.PolicyName,
        policyType: policy.PolicyType,
        alarmName: high.name,
        intent: 'out',
        capacityFrom: (base) => (base === 0 ? 1 : proportionalCapacity(base, fromZero, target)),
        explain: (base) =>
          base === 0
            ? `no task running and metric ${fmt(fromZero)} above target ${fmt(target)}: scaling out from zero by the minimum amount, 1 task`
            : `metric ${fmt(fromZero)} above target ${fmt(target)}: ceil(${base} × ${fmt(fromZero)} / ${fmt(target)}) = ${proportionalCapacity(base, fromZero, target)}`,
        ...cooldowns,
      });
    } else if (hiValue !== undefined) {
      requests.push({
        policyName: policy.PolicyName,
        policyType: policy.PolicyType,
        alarmName: high.name,
        intent: 'out',
        capacityFrom: (base) => proportionalCapacity(base, hiValue, target),
        explain: (base) =>
          `metric ${fmt(hiValue)} above target ${fmt(target)}: ceil(${base} × ${fmt(hiValue)} / ${fmt(target)}) = ${proportionalCapacity(base, hiValue, target)}`,
        ...cooldowns,
      });
    }
    if (low === undefined) continue;
    lows++;
    const lo = states.get(low.name);
    if (lo?.state !== 'ALARM') continue;
    lowsInAlarm++;
    const loValue = newest(lo.datapoints);
    if (loValue === undefined) continue;
    const pct = options.scaleInMaxStepPercent;
    requests.push({
      policyName: policy.PolicyName,
      policyType: policy.PolicyType,
      alarmName: low.name,
      intent: 'in',
      capacityFrom: (base) => gradualScaleIn(base, proportionalCapacity(base, loValue, target), pct),
      explain: (base) =>
        `metric ${fmt(loValue)} below ${fmt(low.threshold)} (${fmt(options.scaleInThresholdRatio * 100)} % of target ${fmt(target)}): ceil(${base} × ${fmt(loValue)} / ${fmt(target)}) = ${proportionalCapacity(base, loValue, target)}, removing at most ${pct} % (at least 1) at a time`,
      ...cooldowns,
    });
  }
  for (const binding of compiled.alarms) requests.push(...stepRequests(binding, states, current, notes));
  return { requests, targetTrackingScaleInAgreed: lows > 0 && lowsInAlarm === lows };
}

function stepRequests(
  binding: AlarmBinding,
  states: AlarmStates,
  current: number,
  notes: string[],
): ScalingRequest[] {
  const state = states.get(binding.spec.name);
  if (state?.state !== 'ALARM') return [];
  const present = state.datapoints.filter((v): v is number => v !== undefined);
  const out: ScalingRequest[] = [];
  for (const policy of binding.policies) {
    const c = policy.StepScalingPolicyConfiguration;
    const value = aggregate(present, c.MetricAggregationType);
    if (value === undefined) continue;
    const above = binding.spec.comparison.startsWith('Greater');
    const step = findStep(c.StepAdjustments, value, binding.spec.threshold, above);
    if (step === undefined) {
      notes.push(
        `${policy.PolicyName}: metric ${fmt(value)} (threshold ${fmt(binding.spec.threshold)}) falls in none of its steps`,
      );
      continue;
    }
    const capacityFrom = (base: number) =>
      adjustedCapacity(c.AdjustmentType, step.ScalingAdjustment, base, c.MinAdjustmentMagnitude);
    const asked = capacityFrom(current);
    if (asked === current) continue;
    const lower = step.MetricIntervalLowerBound ?? '-infinity';
    const upper = step.MetricIntervalUpperBound ?? '+infinity';
    const cooldownMs = c.Cooldown * 1000;
    out.push({
      policyName: policy.PolicyName,
      policyType: policy.PolicyType,
      alarmName: binding.spec.name,
      intent: asked > current ? 'out' : 'in',
      capacityFrom,
      explain: (base) =>
        `metric ${fmt(value)} (${c.MetricAggregationType}), ${fmt(value - binding.spec.threshold)} from threshold ${fmt(binding.spec.threshold)}: step [${lower}, ${upper}] ${c.AdjustmentType} ${step.ScalingAdjustment} from ${base} = ${capacityFrom(base)}`,
      scaleOutCooldownMs: cooldownMs,
      scaleInCooldownMs: cooldownMs,
    });
  }
  return out;
}
