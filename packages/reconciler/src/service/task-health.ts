import type { Service, Task, TaskDefinition } from '@baton-ecs/model';

/** ECS counts a task with no health check and no load balancer healthy 40 s after it starts. */
export const implicitHealthyAfterMs = 40_000;

/** What a load balancer says of a task's target (the target-group controller supplies it). */
export type TargetHealth = 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unused';

export type TaskHealthVerdict =
  | { readonly state: 'healthy' }
  | { readonly state: 'pending'; readonly recheckAt?: number }
  | { readonly state: 'unhealthy'; readonly reason: string };

export const stoppedReasons = {
  containerHealth: 'Task failed container health checks',
  targetHealth: (targetGroup: string) => `Task failed ELB health checks in (target-group ${targetGroup})`,
} as const;

const healthy: TaskHealthVerdict = Object.freeze({ state: 'healthy' });
const pending: TaskHealthVerdict = Object.freeze({ state: 'pending' });

/**
 * Whether a task counts as healthy for a deployment (ECS's rules):
 * - an essential container has a health check → when the task is HEALTHY;
 * - the service has a load balancer → when its target is healthy;
 * - neither → 40 s after the task reached RUNNING.
 * Failures before `healthCheckGracePeriodSeconds` has passed since the task
 * started are ignored (the task stays pending).
 */
export function taskHealthForDeployment(
  task: Pick<Task, 'lastStatus' | 'desiredStatus' | 'healthStatus' | 'startedAt'>,
  td: Pick<TaskDefinition, 'containerDefinitions'>,
  service: Pick<Service, 'loadBalancers' | 'healthCheckGracePeriodSeconds'>,
  now: number,
  target?: { readonly health: TargetHealth; readonly targetGroup: string },
  /** hasEssentialHealthCheck(td), when the caller already knows it. */
  healthChecked: boolean = hasEssentialHealthCheck(td),
): TaskHealthVerdict {
  if (task.lastStatus !== 'RUNNING' || task.desiredStatus !== 'RUNNING') return pending;
  const startedAt = task.startedAt ?? now;
  const graceEnds = startedAt + (service.healthCheckGracePeriodSeconds ?? 0) * 1000;
  const inGrace = now < graceEnds;
  const hasHealthCheck = healthChecked;
  const hasLoadBalancer = service.loadBalancers.length > 0;

  if (!hasHealthCheck && !hasLoadBalancer) {
    const healthyAt = startedAt + implicitHealthyAfterMs;
    return now >= healthyAt ? healthy : { state: 'pending', recheckAt: healthyAt };
  }
  const unhealthy = (reason: string): TaskHealthVerdict =>
    inGrace ? { state: 'pending', recheckAt: graceEnds } : { state: 'unhealthy', reason };

  if (hasHealthCheck && task.healthStatus === 'UNHEALTHY') return unhealthy(stoppedReasons.containerHealth);
  if (hasLoadBalancer && target?.health === 'unhealthy')
    return unhealthy(stoppedReasons.targetHealth(target.targetGroup));
  const containerOk = !hasHealthCheck || task.healthStatus === 'HEALTHY';
  const targetOk = !hasLoadBalancer || target?.health === 'healthy';
  return containerOk && targetOk ? healthy : pending;
}

/** Whether an essential container has a health check: then the task's healthStatus decides. */
export function hasEssentialHealthCheck(td: Pick<TaskDefinition, 'containerDefinitions'>): boolean {
  return td.containerDefinitions.some((c) => c.essential && c.healthCheck !== undefined);
}
