import type { ArnContext, PlacementConstraint, PlacementStrategy, Task, TaskDefinition } from '@baton/model';
import { type ClusterSnapshot, placeTasks, type RandomSource } from '@baton/scheduler';
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
}

export interface RunTaskPlan {
  readonly tasks: readonly Task[];
  /** ECS's `failures[]`: why some (or all) tasks could not be placed. */
  readonly failures: readonly { readonly reason: string; readonly count: number }[];
}

/** Places RunTask's tasks; the records it returns are never replaced by any controller. */
export function planRunTask(
  request: RunTaskRequest,
  cluster: ClusterSnapshot,
  ctx: { readonly now: number; readonly random: RandomSource; readonly arn?: ArnContext },
): RunTaskPlan {
  const td = request.taskDefinition;
  const group = request.group ?? `family:${td.family}`;
  const result = placeTasks(
    {
      taskDefinition: td,
      count: request.count,
      group,
      ...(request.placementConstraints ? { placementConstraints: request.placementConstraints } : {}),
      ...(request.placementStrategy ? { placementStrategy: request.placementStrategy } : {}),
    },
    cluster,
    { random: ctx.random },
  );
  if (isLeft(result)) return { tasks: [], failures: [{ reason: result.left.message, count: request.count }] };
  const instances = new Map(cluster.instances.map((i) => [i.containerInstanceArn, i]));
  const tasks = result.right.placements.map((p) =>
    newTask({
      cluster: request.cluster,
      taskId: newTaskId(ctx.random),
      group,
      ...(request.startedBy ? { startedBy: request.startedBy } : {}),
      taskDefinitionArn: td.taskDefinitionArn ?? `${td.family}:${td.revision}`,
      taskDefinition: td,
      instance: instances.get(p.containerInstanceArn) ?? {
        containerInstanceArn: p.containerInstanceArn,
        attributes: [],
      },
      now: ctx.now,
      ...(ctx.arn ? { arn: ctx.arn } : {}),
    }),
  );
  const unplaced = result.right.unplacedCount;
  const reason = result.right.explanation?.message;
  return { tasks, failures: unplaced > 0 && reason ? [{ reason, count: unplaced }] : [] };
}
