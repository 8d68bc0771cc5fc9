import { type TargetState, targetGroupDefaults, type UnhealthyStateRouting } from '@baton-ecs/model';

/** States of a registered target that may take traffic when the group fails open. */
const registered: ReadonlySet<TargetState> = new Set(['healthy', 'unhealthy', 'initial', 'unavailable']);

/**
 * ELB's routing failover: whether the group is below its healthy threshold, so that every registered
 * target gets traffic, unhealthy ones included. With ELB's defaults (count 1, percentage off) that is
 * "fail open" when no target is healthy — "If a target group contains only unhealthy registered
 * targets, the load balancer routes requests to all those targets"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).
 * Either threshold breached is enough; a percentage counts against the registered targets
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health.html).
 * `false`: never (Baton only: answer 503 instead).
 */
export function failsOpen(healthy: number, total: number, routing: UnhealthyStateRouting | false): boolean {
  if (routing === false || total === 0) return false;
  if (healthy < routing.minimumHealthyTargetsCount) return true;
  const pct = routing.minimumHealthyTargetsPercentage;
  return pct !== 'off' && (healthy * 100) / total < pct;
}

/**
 * The targets that get new requests: the healthy ones, or every registered (non-draining) one when
 * the group fails open. The one rule both the embedded listener and the nginx adapter apply.
 */
export function routingTargets<T extends { readonly state: TargetState }>(
  targets: readonly T[],
  routing: UnhealthyStateRouting | false = targetGroupDefaults.unhealthyStateRouting,
): T[] {
  const live = targets.filter((t) => registered.has(t.state));
  const healthy = live.filter((t) => t.state === 'healthy');
  return failsOpen(healthy.length, live.length, routing) ? live : healthy;
}
