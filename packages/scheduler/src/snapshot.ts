import type { ContainerInstance, Task, TaskDefinition } from '@baton-ecs/model';

/**
 * The parts of ECS records the scheduler reads. A full model object (a parsed
 * `ContainerInstance`, `Task` or `TaskDefinition`) is always acceptable; the
 * narrower types only spare tests and callers the fields placement ignores.
 */
export type SchedulerInstance = Pick<
  ContainerInstance,
  | 'containerInstanceArn'
  | 'ec2InstanceId'
  | 'status'
  | 'agentConnected'
  | 'registeredResources'
  | 'attributes'
> &
  Partial<Pick<ContainerInstance, 'registeredAt' | 'versionInfo'>>;

export type SchedulerTask = Pick<
  Task,
  'taskArn' | 'taskDefinitionArn' | 'containerInstanceArn' | 'group' | 'desiredStatus' | 'lastStatus'
> &
  Partial<
    Pick<
      Task,
      'cpu' | 'memory' | 'overrides' | 'containers' | 'healthStatus' | 'createdAt' | 'startedBy' | 'startedAt'
    >
  >;

export type SchedulerTaskDefinition = Pick<
  TaskDefinition,
  'containerDefinitions' | 'networkMode' | 'cpu' | 'memory' | 'placementConstraints'
> &
  Partial<Pick<TaskDefinition, 'taskDefinitionArn' | 'family'>>;

/** Finds a task's definition by its `taskDefinitionArn`. */
export type TaskDefinitionLookup =
  | ReadonlyMap<string, SchedulerTaskDefinition>
  | ((taskDefinitionArn: string) => SchedulerTaskDefinition | undefined);

/**
 * What placement decides over: the cluster's container instances, the tasks
 * on them (any status; STOPPED ones are ignored), and their task definitions,
 * from which reservations are computed. `remainingResources` on an instance is
 * never trusted.
 */
export interface ClusterSnapshot {
  readonly instances: readonly SchedulerInstance[];
  readonly tasks: readonly SchedulerTask[];
  readonly taskDefinitions: TaskDefinitionLookup;
}

export function lookupTaskDefinition(
  lookup: TaskDefinitionLookup,
  taskDefinitionArn: string,
): SchedulerTaskDefinition | undefined {
  return typeof lookup === 'function' ? lookup(taskDefinitionArn) : lookup.get(taskDefinitionArn);
}
