import type { PolicyType } from '../resources/scaling-policy.js';

/** What made an activity happen. */
export type ActivityTrigger =
  | {
      readonly type: 'policy';
      readonly PolicyName: string;
      readonly PolicyType: PolicyType;
      readonly AlarmName: string;
      readonly Direction: 'out' | 'in';
    }
  | { readonly type: 'scheduled-action'; readonly ScheduledActionName: string }
  /** The target's MinCapacity / MaxCapacity changed (re-registration). */
  | { readonly type: 'target-limits' };

export type ActivityStatusCode =
  | 'Pending'
  | 'InProgress'
  | 'Successful'
  | 'Overridden'
  | 'Unfulfilled'
  | 'Failed';

/**
 * A scaling activity in the shape of AAS's DescribeScalingActivities, plus
 * what the caller applies: `DesiredCount` for the service, `MinCapacity` /
 * `MaxCapacity` for the scalable target. The scaler emits activities
 * InProgress; the caller applies them and records the outcome
 * (`activitySucceeded` / `activityFailed`) and the service event
 * (`activityEventMessage`).
 */
export interface ScalingActivity {
  readonly ActivityId: string;
  readonly ServiceNamespace: 'ecs';
  readonly ResourceId: string;
  readonly ScalableDimension: 'ecs:service:DesiredCount';
  /** "Setting desired count to 6." */
  readonly Description: string;
  /** "monitor alarm … in state ALARM triggered policy …" */
  readonly Cause: string;
  readonly StartTime: number;
  readonly EndTime?: number;
  readonly StatusCode: ActivityStatusCode;
  readonly StatusMessage?: string;
  /** More on the decision: the metric value, the step or capacity limit involved. */
  readonly Details?: string;
  readonly Trigger: ActivityTrigger;
  readonly PreviousDesiredCount?: number;
  readonly DesiredCount?: number;
  readonly MinCapacity?: number;
  readonly MaxCapacity?: number;
}

export function policyCause(alarmName: string, policyName: string): string {
  return `monitor alarm ${alarmName} in state ALARM triggered policy ${policyName}`;
}

export function scheduledCause(scheduledActionName: string): string {
  return `scheduled action name ${scheduledActionName} was triggered`;
}

function limitsText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `min capacity to ${min} and max capacity to ${max}`;
  return min !== undefined ? `min capacity to ${min}` : `max capacity to ${max}`;
}

/** What the activity does, as AAS describes it. */
export function activityDescription(
  a: Pick<ScalingActivity, 'DesiredCount' | 'MinCapacity' | 'MaxCapacity'>,
): string {
  if (a.DesiredCount !== undefined) return `Setting desired count to ${a.DesiredCount}.`;
  return `Setting ${limitsText(a.MinCapacity, a.MaxCapacity)}.`;
}

function successMessage(a: ScalingActivity): string {
  if (a.DesiredCount !== undefined)
    return `Successfully set desired count to ${a.DesiredCount}. Change successfully fulfilled by ecs.`;
  return `Successfully set ${limitsText(a.MinCapacity, a.MaxCapacity)}.`;
}

export function activitySucceeded(a: ScalingActivity, endTime: number): ScalingActivity {
  return { ...a, StatusCode: 'Successful', StatusMessage: successMessage(a), EndTime: endTime };
}

export function activityFailed(a: ScalingActivity, reason: string, endTime: number): ScalingActivity {
  const what =
    a.DesiredCount !== undefined
      ? `desired count to ${a.DesiredCount}`
      : limitsText(a.MinCapacity, a.MaxCapacity);
  return {
    ...a,
    StatusCode: 'Failed',
    StatusMessage: `Failed to set ${what}. Reason: ${reason}`,
    EndTime: endTime,
  };
}

/**
 * The service event for an applied activity: "Successfully set desired
 * count to 6. Change successfully fulfilled by ecs. Cause: monitor alarm …
 * in state ALARM triggered policy …". An activity still InProgress is worded
 * as succeeded: record the event once the write went through.
 */
export function activityEventMessage(a: ScalingActivity): string {
  const status =
    a.StatusCode === 'InProgress' || a.StatusCode === 'Pending' ? successMessage(a) : (a.StatusMessage ?? '');
  return `${status} Cause: ${a.Cause}`;
}
