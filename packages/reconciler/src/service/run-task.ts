import {
  type ArnContext,
  arns,
  defaultArnContext,
  type NetworkConfiguration,
  type PlacementConstraint,
  type PlacementStrategy,
  type Task,
  type TaskDefinition,
} from '@baton-ecs/model';
import { type ClusterSnapshot, ClusterState, placeTasks, type RandomSource } from '@baton-ecs/scheduler';
import { isLeft } from 'fp-ts/lib/Either.js';
import { newTaskId } from './ids.js';
import { newTask } from './new-task.js';

/** ECS RunTask: standalone tasks, placed once and never replaced. */
export interface RunTaskRequest {
  readonly cluster: string;
  readonly taskDefinition: TaskDefinition;
  readonly count: number;
  /** Default `family:<family>`, as ECS. */
  readonly group?: string;
  readonly startedBy?: string;
  readonly placementConstraints?: readonly PlacementConstraint[];
  readonly placementStrategy?: readonly PlacementStrategy[];
  /** awsvpc: the subnets of the tasks' network interfaces. */
  readonly networkConfiguration?: NetworkConfiguration;
}

export interface RunTaskPlan {
  readonly tasks: readonly Task[];
  /** ECS's `failures[]`: why some (or all) tasks could not be placed. */
  readonly failures: readonly { readonly reason: string; readonly count: number }[];
}

/**
 * Places RunTask's tasks; the records it returns are never replaced by any
 * controller. Given a ClusterState, the placements are recorded in it under
 * the new tasks' ARNs.
 */
export function planRunTask(
  request: RunTaskRequest,
  cluster: ClusterSnapshot | ClusterState,
  ctx: { readonly now: number; readonly random: RandomSource; readonly arn?: ArnContext },
): RunTaskPlan {
  const td = request.taskDefinition;
  const group = request.group ?? `family:${td.family}`;
  // Standalone tasks are placed at random unless the request says otherwise; only services default to
  // spreading over Availability Zones (developer guide, task-placement-strategies.html).
  const placementStrategy = request.placementStrategy ?? [{ type: 'random' as const }];
  const state = cluster instanceof ClusterState ? cluster : ClusterState.fromSnapshot(cluster);
  const taskIds = Array.from({ length: request.count }, () => newTaskId(ctx.random));
  const arnContext = ctx.arn ?? defaultArnContext;
  const result = placeTasks(
    {
      taskDefinition: td,
      count: request.count,
      group,
      ...(request.placementConstraints ? { placementConstraints: request.placementConstraints } : {}),
      placementStrategy,
      taskArns: taskIds.map((id) => arns.task(request.cluster, id, arnContext)),
    },
    state,
    { random: ctx.random },
  );
  if (isLeft(result)) return { tasks: [], failures: [{ reason: result.left.message, count: request.count }] };
  const instanceOf = (arn: string) => {
    const index = state.indexOf(arn);
    return index === undefined ? { containerInstanceArn: arn, attributes: [] } : state.record(index).instance;
  };
  const tasks = result.right.placements.map((p) =>
    newTask({
      cluster: request.cluster,
      taskId: taskIds[p.taskIndex]!,
      group,
      ...(request.startedBy ? { startedBy: request.startedBy } : {}),
      taskDefinitionArn: td.taskDefinitionArn ?? `${td.family}:${td.revision}`,
      taskDefinition: td,
      instance: instanceOf(p.containerInstanceArn),
      now: ctx.now,
      ...(ctx.arn ? { arn: ctx.arn } : {}),
      ...(request.networkConfiguration ? { networkConfiguration: request.networkConfiguration } : {}),
    }),
  );
  const unplaced = result.right.unplacedCount;
  const reason = result.right.explanation?.message;
  return { tasks, failures: unplaced > 0 && reason ? [{ reason, count: unplaced }] : [] };
}
