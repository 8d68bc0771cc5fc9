import type { PolicyType } from '../resources/scaling-policy.js';

/** One policy asking to scale at one evaluation. */
export interface ScalingRequest {
  readonly policyName: string;
  readonly policyType: PolicyType;
  readonly alarmName: string;
  /** Out: an AlarmHigh or a step that adds; in: an AlarmLow or a step that removes. */
  readonly intent: 'out' | 'in';
  /** The capacity asked for, computed from a base capacity (unclamped). */
  readonly capacityFrom: (base: number) => number;
  /** How the capacity follows from the base, for the activity's Details. */
  readonly explain?: (base: number) => string;
  readonly scaleOutCooldownMs: number;
  readonly scaleInCooldownMs: number;
}

/** The last scale-out and scale-in of the target, whichever policy made them. */
export interface Cooldowns {
  readonly lastScaleOut?: { readonly at: number; readonly from: number; readonly to: number };
  readonly lastScaleIn?: { readonly at: number; readonly from: number; readonly to: number };
}

export interface DecisionInput {
  readonly now: number;
  /** The desired count: a request changes it only by asking for more (out) or less (in). */
  readonly current: number;
  /**
   * Where the computations start: the running count, as ECS's service auto scaling page says
   * (keeps a scale-out that cannot be placed from running away). Default: `current`.
   */
  readonly running?: number;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly requests: readonly ScalingRequest[];
  /**
   * Whether every target tracking policy that may scale in asks to: AAS
   * scales in on target tracking only when all of them agree.
   */
  readonly targetTrackingScaleInAgreed: boolean;
  readonly scaleOutSuspended: boolean;
  /** Dynamic scale-in suspended, or (as AAS does for ECS) a deployment in progress. */
  readonly scaleInSuspended: boolean;
  readonly cooldowns: Cooldowns;
}

export interface Decision {
  /** The winning request and the capacity it sets, when the capacity changes. */
  readonly change?: {
    readonly request: ScalingRequest;
    readonly capacity: number;
    /** The capacity the request was computed from. */
    readonly base: number;
    readonly direction: 'out' | 'in';
  };
  /** Why requests did not win, for explanations and tests. */
  readonly notes: readonly string[];
}

export function clamp(capacity: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, capacity));
}

/**
 * Whether a scale-out by a policy with this cooldown is within the cooldown
 * of the last scale-out (and no scale-in came since).
 */
export function inScaleOutCooldown(cooldowns: Cooldowns, now: number, cooldownMs: number): boolean {
  const out = cooldowns.lastScaleOut;
  if (out === undefined || now >= out.at + cooldownMs) return false;
  return cooldowns.lastScaleIn === undefined || cooldowns.lastScaleIn.at < out.at;
}

/**
 * Whether a scale-in is blocked: within the policy's scale-in cooldown after
 * the last scale-in, or within its scale-out cooldown after the last
 * scale-out (capacity just added has not shown in the metric yet).
 */
export function scaleInBlockedUntil(
  cooldowns: Cooldowns,
  now: number,
  request: ScalingRequest,
): number | undefined {
  let until: number | undefined;
  const { lastScaleIn, lastScaleOut } = cooldowns;
  if (lastScaleIn && now < lastScaleIn.at + request.scaleInCooldownMs)
    until = lastScaleIn.at + request.scaleInCooldownMs;
  if (lastScaleOut && now < lastScaleOut.at + request.scaleOutCooldownMs)
    until = Math.max(until ?? 0, lastScaleOut.at + request.scaleOutCooldownMs);
  return until;
}

/**
 * AAS's rules for several policies on one target:
 * - a scale-out wins over any scale-in; among scale-outs the largest
 *   capacity wins;
 * - during a scale-out cooldown the capacity the last scale-out added counts
 *   as already there: the request is computed from the capacity before that
 *   scale-out, and goes ahead only if it asks for more than now;
 * - scale-ins are blocked by cooldowns and suspension; target tracking
 *   scale-ins need every target tracking policy's agreement; among the
 *   remaining scale-ins the largest capacity (the smallest cut) wins;
 * - every result is clamped to [min, max].
 */
export function decide(input: DecisionInput): Decision {
  const { now, current, minCapacity: min, maxCapacity: max, cooldowns } = input;
  const running = input.running ?? current;
  const notes: string[] = [];
  let bestOut: { request: ScalingRequest; capacity: number; base: number } | undefined;
  let bestIn: { request: ScalingRequest; capacity: number; base: number } | undefined;
  for (const request of input.requests) {
    if (request.intent === 'out') {
      const cooling = inScaleOutCooldown(cooldowns, now, request.scaleOutCooldownMs);
      const base = cooling ? Math.min(cooldowns.lastScaleOut!.from, running) : running;
      const capacity = clamp(request.capacityFrom(base), min, max);
      if (capacity <= current) {
        notes.push(
          cooling
            ? `${request.policyName}: asks for ${capacity} counting the capacity added by the last scale-out; no further scale-out during its cooldown`
            : `${request.policyName}: capacity ${current} already meets the request${capacity === max ? ` (maximum capacity ${max})` : ''}`,
        );
        continue;
      }
      if (bestOut === undefined || capacity > bestOut.capacity) bestOut = { request, capacity, base };
    } else {
      const capacity = clamp(request.capacityFrom(running), min, max);
      if (capacity >= current) {
        notes.push(
          `${request.policyName}: capacity ${current} is already at or below the request (minimum capacity ${min})`,
        );
        continue;
      }
      if (request.policyType === 'TargetTrackingScaling' && !input.targetTrackingScaleInAgreed) {
        notes.push(`${request.policyName}: scale-in waits until every target tracking policy agrees`);
        continue;
      }
      const until = scaleInBlockedUntil(cooldowns, now, request);
      if (until !== undefined) {
        notes.push(
          `${request.policyName}: scale-in blocked by cooldown until ${new Date(until).toISOString()}`,
        );
        continue;
      }
      if (bestIn === undefined || capacity > bestIn.capacity) bestIn = { request, capacity, base: running };
    }
  }
  if (bestOut !== undefined) {
    if (!input.scaleOutSuspended) return { change: { ...bestOut, direction: 'out' }, notes };
    notes.push(`${bestOut.request.policyName}: dynamic scale-out is suspended`);
    return { notes };
  }
  if (bestIn !== undefined) {
    if (!input.scaleInSuspended) return { change: { ...bestIn, direction: 'in' }, notes };
    notes.push(`${bestIn.request.policyName}: dynamic scale-in is suspended`);
  }
  return { notes };
}

/** The cooldown clock after a change: a scale-out ends any scale-in cooldown. */
export function afterChange(cooldowns: Cooldowns, now: number, from: number, to: number): Cooldowns {
  if (to > from) return { lastScaleOut: { at: now, from, to } };
  return { ...cooldowns, lastScaleIn: { at: now, from, to } };
}
