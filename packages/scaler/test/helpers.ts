import type { Parsed, ParseResult, ValidationError } from '@baton-ecs/model';
import { isLeft } from 'fp-ts/lib/Either.js';
import {
  type MetricAlarmInput,
  parseScalingConfiguration,
  type ScalableTargetInput,
  type ScalingConfiguration,
  type ScalingPolicyInput,
  type ScheduledActionInput,
} from '../src/index.js';

export function ok<T>(result: ParseResult<T>): Parsed<T> {
  if (isLeft(result)) throw new Error(`expected a valid input, got:\n${result.left.message}`);
  return result.right;
}

export function bad<T>(result: ParseResult<T>): ValidationError {
  if (!isLeft(result)) throw new Error('expected a validation error, got a value');
  return result.left;
}

export function lines(error: ValidationError): string[] {
  return error.issues.map((i) => `${i.path}: ${i.message}`);
}

export const resourceId = 'service/default/web';
const ids = {
  ServiceNamespace: 'ecs',
  ResourceId: resourceId,
  ScalableDimension: 'ecs:service:DesiredCount',
} as const;

export function target(over: Partial<ScalableTargetInput> = {}): ScalableTargetInput {
  return { ...ids, MinCapacity: 1, MaxCapacity: 20, ...over };
}

export function cpuPolicy(
  name = 'cpu50',
  over: Partial<NonNullable<ScalingPolicyInput['TargetTrackingScalingPolicyConfiguration']>> = {},
): ScalingPolicyInput {
  return {
    ...ids,
    PolicyName: name,
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: 50,
      PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      ...over,
    },
  };
}

export function memoryPolicy(name = 'mem70', targetValue = 70): ScalingPolicyInput {
  return {
    ...ids,
    PolicyName: name,
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: targetValue,
      PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' },
    },
  };
}

export function stepPolicy(
  name: string,
  config: NonNullable<ScalingPolicyInput['StepScalingPolicyConfiguration']>,
): ScalingPolicyInput {
  return { ...ids, PolicyName: name, PolicyType: 'StepScaling', StepScalingPolicyConfiguration: config };
}

export function alarm(
  over: Partial<MetricAlarmInput> & Pick<MetricAlarmInput, 'AlarmName'>,
): MetricAlarmInput {
  return {
    Namespace: 'Custom/Queue',
    MetricName: 'Backlog',
    Statistic: 'Average',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 100,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    ...over,
  };
}

export function scheduled(
  name: string,
  schedule: string,
  action: { MinCapacity?: number; MaxCapacity?: number },
  over: Partial<ScheduledActionInput> = {},
): ScheduledActionInput {
  return { ...ids, ScheduledActionName: name, Schedule: schedule, ScalableTargetAction: action, ...over };
}

export function configuration(parts: {
  target?: ScalableTargetInput;
  policies?: ScalingPolicyInput[];
  alarms?: MetricAlarmInput[];
  scheduledActions?: ScheduledActionInput[];
}): ScalingConfiguration {
  const result = parseScalingConfiguration({
    ScalableTarget: parts.target ?? target(),
    ScalingPolicies: parts.policies ?? [],
    MetricAlarms: parts.alarms ?? [],
    ScheduledActions: parts.scheduledActions ?? [],
  });
  if (isLeft(result)) throw new Error(result.left.message);
  return result.right.value;
}

export const cpu = (value: number, timestamp?: number) => ({
  namespace: 'AWS/ECS',
  metricName: 'CPUUtilization',
  value,
  ...(timestamp !== undefined && { timestamp }),
});

export const minutes = (n: number) => n * 60_000;
