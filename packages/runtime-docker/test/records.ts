/**
 * The records a task agent runs — container definitions, task definitions and tasks — built from the
 * model's types directly (no zod, so tests may use 1 s health checks). One copy for every test of the
 * agent: the runtime's integration tests on Docker and the simulated engine's (packages/testing).
 */
import { arns, type ContainerDefinition, type Task, type TaskDefinition } from '@baton-ecs/model';
import { newTask as placedTask } from '@baton-ecs/reconciler';
import { testImage } from './support.js';

export function def(name: string, over: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return {
    name,
    image: testImage,
    cpu: 0,
    memory: 32,
    essential: true,
    portMappings: [],
    environment: [],
    stopTimeout: 2,
    ...over,
  };
}

/** A task definition built from the model's types directly (no zod), so tests may use 1 s health checks. */
export function taskDef(family: string, containers: ContainerDefinition[]): TaskDefinition {
  return {
    family,
    revision: 1,
    taskDefinitionArn: arns.taskDefinition(family, 1),
    containerDefinitions: containers,
    networkMode: 'bridge',
    placementConstraints: [],
    tags: [],
    status: 'ACTIVE',
  };
}

/** A task placed on instance `instanceId` of `cluster`, as the service scheduler places one (`newTask`). */
export function newTask(
  cluster: string,
  instanceId: string,
  td: TaskDefinition,
  id: string,
  over: Partial<Task> = {},
): Task {
  const placed = placedTask({
    cluster,
    taskId: id,
    group: `family:${td.family}`,
    taskDefinitionArn: td.taskDefinitionArn ?? '',
    taskDefinition: td,
    instance: { containerInstanceArn: arns.containerInstance(cluster, instanceId), attributes: [] },
    now: Date.now(),
  });
  return { ...placed, ...over };
}
