import type { AutoScalingGroupProvider } from '../resources/capacity-provider.js';
import type { CapacityEstimate } from './estimate.js';
import { instancesForTarget } from './reservation.js';

export type InstanceAction =
  | { readonly type: 'none' }
  | { readonly type: 'launch'; readonly count: number }
  | { readonly type: 'terminate'; readonly containerInstanceArns: readonly string[] };

export interface InstanceScalingDecision {
  readonly estimate: CapacityEstimate;
  /** The instance count the target capacity asks for, within [minSize, maxSize]. */
  readonly desiredInstances: number;
  readonly action: InstanceAction;
  /** Why, in words. */
  readonly message: string;
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * What managed scaling does with an estimate, right now (the timing, warm-up
 * and scale-in delay are the stream's, see createCapacityScaler):
 * - desired = ceil(M × 100 / targetCapacity), within [minSize, maxSize];
 * - scale out by desired − N, but at least minimumScalingStepSize and at
 *   most maximumScalingStepSize (and never past maxSize);
 * - scale in by removing empty instances only, at most N − desired (and
 *   never below minSize); step sizes do not limit scale-in, as in ECS.
 */
export function decideInstanceScaling(
  estimate: CapacityEstimate,
  group: AutoScalingGroupProvider,
): InstanceScalingDecision {
  const ms = group.managedScaling;
  const { required: m, current: n, reservation } = estimate;
  const desired = Math.min(group.maxSize, Math.max(group.minSize, instancesForTarget(m, ms.targetCapacity)));
  const head = `CapacityProviderReservation ${fmt(reservation)} (M=${m}, N=${n}), target capacity ${ms.targetCapacity}`;
  const none = (why: string): InstanceScalingDecision => ({
    estimate,
    desiredInstances: desired,
    action: { type: 'none' },
    message: `${head}: ${why}`,
  });
  if (ms.status === 'DISABLED') return none('managed scaling is disabled');
  if (desired > n) {
    const step = Math.min(ms.maximumScalingStepSize, Math.max(ms.minimumScalingStepSize, desired - n));
    const count = Math.min(step, group.maxSize - n);
    if (count <= 0)
      return none(`wants ${desired} instances but the group is at its maximum size ${group.maxSize}`);
    return {
      estimate,
      desiredInstances: desired,
      action: { type: 'launch', count },
      message: `${head}: launching ${plural(count, 'instance')}${count !== desired - n ? ` (step sizes ${ms.minimumScalingStepSize}–${ms.maximumScalingStepSize}, maximum size ${group.maxSize})` : ''}`,
    };
  }
  if (desired < n) {
    const removable = Math.min(n - desired, n - group.minSize, estimate.emptyInstances.length);
    if (removable <= 0) return none(`wants ${desired} instances but none of the ${n} is empty`);
    // The newest-registered empty instances go first (last in the list).
    const arns = estimate.emptyInstances.slice(-removable).reverse();
    return {
      estimate,
      desiredInstances: desired,
      action: { type: 'terminate', containerInstanceArns: arns },
      message: `${head}: terminating ${plural(arns.length, 'empty instance')}`,
    };
  }
  return none(`${plural(n, 'instance')} as wanted`);
}
