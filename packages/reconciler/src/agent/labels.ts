import { clusterNameOf, parseArn, type Task } from '@baton-ecs/model';

/**
 * Baton's container labels. A container carrying `taskArn` is Baton's: the agent adopts it when its
 * task exists and removes it when not. A container without it is never touched.
 */
export const batonLabels = {
  cluster: 'com.baton.cluster',
  containerInstance: 'com.baton.container-instance-arn',
  taskArn: 'com.baton.task-arn',
  containerName: 'com.baton.container-name',
  taskDefinitionArn: 'com.baton.task-definition-arn',
  service: 'com.baton.service',
  stopTimeout: 'com.baton.stop-timeout',
  /** On a task-scoped volume: the volume's name in the task definition. */
  volumeName: 'com.baton.volume-name',
} as const;

/** The task id: the last segment of the task ARN. */
export function taskIdOf(taskArn: string): string {
  const parsed = parseArn(taskArn);
  return parsed ? (parsed.resource[parsed.resource.length - 1] ?? taskArn) : taskArn;
}

const unsafe = /[^A-Za-z0-9_.-]/g;

/**
 * The engine name of a task's container: deterministic, so a create that crashed before its result
 * was recorded fails with a name conflict instead of creating a twin.
 */
export function containerEngineName(taskArn: string, containerName: string): string {
  const cluster = clusterNameOf(taskArn);
  return `baton-${cluster}-${taskIdOf(taskArn)}-${containerName}`.replace(unsafe, '_');
}

/** The service name of a service's task (`group: service:<name>`). */
export function serviceNameOf(task: Pick<Task, 'group'>): string | undefined {
  return task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
}

/** The labels Baton puts on a task's container. */
export function containerLabels(
  task: Pick<Task, 'taskArn' | 'clusterArn' | 'taskDefinitionArn' | 'group' | 'containerInstanceArn'>,
  containerName: string,
  stopTimeoutSeconds: number,
): Record<string, string> {
  const labels: Record<string, string> = {
    [batonLabels.cluster]: clusterNameOf(task.clusterArn),
    [batonLabels.taskArn]: task.taskArn,
    [batonLabels.containerName]: containerName,
    [batonLabels.taskDefinitionArn]: task.taskDefinitionArn,
    [batonLabels.stopTimeout]: String(stopTimeoutSeconds),
  };
  if (task.containerInstanceArn) labels[batonLabels.containerInstance] = task.containerInstanceArn;
  const service = serviceNameOf(task);
  if (service !== undefined) labels[batonLabels.service] = service;
  return labels;
}

/** Whether a container is Baton's (carries a task ARN label). */
export function isBatonContainer(labels: Readonly<Record<string, string>>): boolean {
  return typeof labels[batonLabels.taskArn] === 'string' && labels[batonLabels.taskArn] !== '';
}

/**
 * Whether this instance's agent owns a labelled container: same cluster, and the same instance when
 * the container names one. Containers of other clusters or instances sharing the engine are left to
 * their own agents.
 */
export function ownedBy(labels: Readonly<Record<string, string>>, containerInstanceArn: string): boolean {
  if (!isBatonContainer(labels)) return false;
  if (labels[batonLabels.cluster] !== clusterNameOf(containerInstanceArn)) return false;
  const instance = labels[batonLabels.containerInstance];
  return instance === undefined || instance === containerInstanceArn;
}
