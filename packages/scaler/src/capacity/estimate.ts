import {
  ClusterState,
  mulberry32,
  type PlacementRequest,
  placeTasks,
  type SchedulerInstance,
  type SchedulerTask,
  type TaskDefinitionLookup,
} from '@baton-ecs/scheduler';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { InstanceTemplate } from './instance-provider.js';
import { capacityProviderReservation } from './reservation.js';

export interface CapacitySnapshot {
  /** The provider's registered container instances. */
  readonly instances: readonly SchedulerInstance[];
  /** Tasks on them, any status (STOPPED ones are ignored). */
  readonly tasks: readonly SchedulerTask[];
  readonly taskDefinitions: TaskDefinitionLookup;
  /** Tasks waiting for capacity (PROVISIONING, or that found no instance), as placement requests. */
  readonly pending: readonly PlacementRequest[];
  /** What a new instance registers. */
  readonly template: InstanceTemplate;
  /** Task groups of DAEMON services: their tasks alone do not keep an instance busy. */
  readonly daemonGroups?: ReadonlySet<string>;
  /** Instances launched but not registered yet (warming up): they count as there, and empty. */
  readonly launching?: number;
}

export interface CapacityEstimate {
  /** M: instances needed to run every task, by bin-packing the pending ones. */
  readonly required: number;
  /** N: instances there are (registered and not INACTIVE, plus launching). */
  readonly current: number;
  /** M / N × 100, with ECS's edge rules. */
  readonly reservation: number;
  /** Registered ACTIVE instances with no non-daemon task even after packing the pending ones: what scale-in may remove. */
  readonly emptyInstances: readonly string[];
  /** Pending tasks that fit on no instance, not even a new empty one. */
  readonly unplaceable: number;
  readonly unplaceableReason?: string;
}

const newInstanceArn = (i: number) => `baton:new-instance/${i}`;

/**
 * Estimates M the way ECS cluster auto scaling does: pending tasks are
 * placed (binpack, with their own constraints) on the registered instances
 * first, then on as many new instances of the template as they need; M is
 * the instances left with at least one non-daemon task. `maxNewInstances`
 * bounds the search.
 */
export function estimateCapacity(snapshot: CapacitySnapshot, maxNewInstances = 10_000): CapacityEstimate {
  const daemon = snapshot.daemonGroups ?? new Set<string>();
  const live = snapshot.instances.filter((i) => i.status !== 'INACTIVE');
  const state = ClusterState.fromSnapshot({ ...snapshot, instances: live });
  const busy = new Set<string>();
  for (const t of snapshot.tasks)
    if (t.lastStatus !== 'STOPPED' && t.containerInstanceArn !== undefined && !daemon.has(t.group ?? ''))
      busy.add(t.containerInstanceArn);
  const random = mulberry32(0x5ca1e);
  const remaining = snapshot.pending.map((r) => r.count);
  let unplaceableReason: string | undefined;
  const packAll = () => {
    let placed = 0;
    snapshot.pending.forEach((request, i) => {
      const count = remaining[i]!;
      if (count === 0) return;
      const result = placeTasks(
        { ...request, count, taskArns: undefined, placementStrategy: [{ type: 'binpack', field: 'memory' }] },
        state,
        { random },
      );
      if (isLeft(result)) {
        unplaceableReason = result.left.message;
        if (result.left.type === 'InvalidPlacementRequest') remaining[i] = 0;
        return;
      }
      for (const p of result.right.placements) busy.add(p.containerInstanceArn);
      placed += result.right.placements.length;
      remaining[i] = result.right.unplacedCount;
      if (result.right.explanation) unplaceableReason = result.right.explanation.message;
    });
    return placed;
  };
  let added = 0;
  const addInstance = () => {
    state.upsertInstance({
      containerInstanceArn: newInstanceArn(added),
      ec2InstanceId: `new-instance-${added}`,
      status: 'ACTIVE',
      agentConnected: true,
      registeredResources: [...snapshot.template.registeredResources],
      attributes: [...(snapshot.template.attributes ?? [])],
    });
    added++;
  };
  const launching = snapshot.launching ?? 0;
  for (let i = 0; i < launching; i++) addInstance();
  packAll();
  while (remaining.some((n) => n > 0) && added - launching < maxNewInstances) {
    addInstance();
    // A fresh empty instance that takes nothing means what is left fits on none.
    if (packAll() === 0) break;
  }
  const unplaceable = remaining.reduce((a, b) => a + b, 0);
  let usedNew = 0;
  for (let i = 0; i < added; i++) if (busy.has(newInstanceArn(i))) usedNew++;
  const registeredBusy = live.filter((i) => busy.has(i.containerInstanceArn)).length;
  const required = registeredBusy + usedNew;
  const current = live.length + launching;
  return {
    required,
    current,
    reservation: capacityProviderReservation(required, current),
    emptyInstances: live
      .filter((i) => i.status === 'ACTIVE' && !busy.has(i.containerInstanceArn))
      .map((i) => i.containerInstanceArn),
    unplaceable,
    ...(unplaceable > 0 && unplaceableReason !== undefined && { unplaceableReason }),
  };
}
