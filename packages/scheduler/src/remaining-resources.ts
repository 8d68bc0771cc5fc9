import type { InstanceResource } from '@baton-ecs/model';
import { ClusterState } from './cluster-state.js';
import type { SchedulerInstance, SchedulerTask, TaskDefinitionLookup } from './snapshot.js';

/**
 * An instance's remaining CPU, MEMORY, PORTS and PORTS_UDP, computed from
 * what it registered minus what its non-STOPPED tasks reserve (tasks on other
 * instances are ignored). PORTS lists the ports taken, reserved ones included,
 * as ECS does.
 */
export function remainingResources(
  instance: SchedulerInstance,
  tasks: readonly SchedulerTask[],
  taskDefinitions: TaskDefinitionLookup,
): InstanceResource[] {
  const state = new ClusterState(taskDefinitions);
  state.upsertInstance(instance);
  for (const task of tasks) state.upsertTask(task);
  return state.remainingResources(instance.containerInstanceArn) ?? [];
}
