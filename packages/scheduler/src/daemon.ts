import { resourceName } from '@baton-ecs/model';
import { type Either, isLeft, right } from 'fp-ts/lib/Either.js';
import { ClusterState } from './cluster-state.js';
import { describeClosest } from './explanation.js';
import type { FilterName, FilterRejection, PlacementFilter } from './filters.js';
import { compileRequest, type PlacementFailure, type PlacementRequest } from './request.js';
import type { ClusterSnapshot } from './snapshot.js';

/** A DAEMON service's placement: one task per eligible instance, so no count and no strategy. */
export type DaemonPlacementRequest = Pick<
  PlacementRequest,
  'taskDefinition' | 'group' | 'placementConstraints'
>;

export interface InstancePlacement {
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string;
}

/** An instance the daemon should run on but cannot now, and why. */
export interface DaemonShortfall extends InstancePlacement {
  readonly containerInstanceId: string;
  readonly filter: FilterName;
  readonly detail?: string;
  readonly message: string;
}

export interface DaemonPlacement {
  /** Instances that get a new task. */
  readonly placements: readonly InstancePlacement[];
  /** Eligible instances that already run a task of the group. */
  readonly alreadyRunning: readonly InstancePlacement[];
  /** Eligible instances where the task does not fit (agent, CPU, memory, ports). */
  readonly unplaceable: readonly DaemonShortfall[];
  /** Instances the daemon does not target: not ACTIVE, or outside a memberOf constraint. */
  readonly ineligible: readonly FilterRejection[];
}

/**
 * ECS's DAEMON strategy: exactly one task on each ACTIVE instance that meets
 * the memberOf constraints. Instances already running one are left alone;
 * the others get one when it fits, and are reported when it does not.
 * Placements are recorded in `cluster` when it is a ClusterState.
 */
export function placeDaemonTasks(
  request: DaemonPlacementRequest,
  cluster: ClusterSnapshot | ClusterState,
  /** `record: false` only reports (no reservation is recorded in a ClusterState). Default true. */
  options: { readonly record?: boolean } = {},
): Either<PlacementFailure, DaemonPlacement> {
  const state = cluster instanceof ClusterState ? cluster : ClusterState.fromSnapshot(cluster);
  const compiled = compileRequest({ ...request, count: 0 }, state, { withStrategies: false });
  if (isLeft(compiled)) return compiled;
  const req = compiled.right;
  // ECS order, split in two: what makes an instance a target, then what makes the task fit.
  const targeting = req.filters.filter((f) => f.name === 'status' || f.name === 'memberOf');
  const fitting = req.filters.filter(
    (f) => f.name === 'agent' || f.name === 'cpu' || f.name === 'memory' || f.name === 'ports',
  );
  const ineligibleCounts = new Map<PlacementFilter, number>();
  const placements: InstancePlacement[] = [];
  const alreadyRunning: InstancePlacement[] = [];
  const unplaceable: DaemonShortfall[] = [];
  for (const record of state.records) {
    const excludedBy = targeting.find((f) => !f.check(record));
    if (excludedBy !== undefined) {
      ineligibleCounts.set(excludedBy, (ineligibleCounts.get(excludedBy) ?? 0) + 1);
      continue;
    }
    const at = { containerInstanceArn: record.arn, ec2InstanceId: record.id };
    if (record.groups.has(req.group)) {
      alreadyRunning.push(at);
      continue;
    }
    const stoppedBy = fitting.find((f) => !f.check(record));
    if (stoppedBy === undefined) {
      if (options.record !== false) state.reserve(record.index, req.demand, req.group);
      placements.push(at);
      continue;
    }
    const containerInstanceId = resourceName(record.arn);
    const reason = {
      filter: stoppedBy.name,
      ...(stoppedBy.detail === undefined ? {} : { detail: stoppedBy.detail }),
    };
    unplaceable.push({
      ...at,
      containerInstanceId,
      ...reason,
      message: `unable to place a task because container-instance ${containerInstanceId} ${describeClosest(reason)}.`,
    });
  }
  const ineligible = targeting.flatMap((f) => {
    const n = ineligibleCounts.get(f) ?? 0;
    return n > 0 ? [f.explain(n)] : [];
  });
  return right({ placements, alreadyRunning, unplaceable, ineligible });
}
