import type { ServiceEvent } from '@baton-ecs/model';

/** An event's text: ECS's sentence, and Baton's own detail kept apart from it. */
export interface ServiceMessage {
  readonly message: string;
  readonly detail?: string;
}

/** ECS keeps the newest 100 events. */
export const maxServiceEvents = 100;
/** ECS repeats an identical message (e.g. "has reached a steady state") at most every 6 hours. */
export const duplicateEventWindowMs = 6 * 60 * 60 * 1000;

/**
 * Adds messages to a service's events, newest first, capped, with identical
 * consecutive messages suppressed inside the window. Returns the new list and
 * the events actually added (in the order given).
 */
export function appendServiceEvents(
  events: readonly ServiceEvent[],
  messages: readonly (string | ServiceMessage)[],
  now: number,
  newId: () => string,
): { readonly events: readonly ServiceEvent[]; readonly added: readonly ServiceEvent[] } {
  if (messages.length === 0) return { events, added: [] };
  const added: ServiceEvent[] = [];
  for (const m of messages) {
    const message = typeof m === 'string' ? m : m.message;
    const detail = typeof m === 'string' ? undefined : m.detail;
    // The newest event so far: the last one added by this call, else the list's first.
    const newest = added.length > 0 ? added[added.length - 1] : events[0];
    if (
      newest &&
      newest.message === message &&
      newest.detail === detail &&
      now - newest.createdAt < duplicateEventWindowMs
    )
      continue;
    added.push({ id: newId(), createdAt: now, message, ...(detail ? { detail } : {}) });
  }
  if (added.length === 0) return { events, added };
  // Newest first, capped: the list is copied once, however many were added.
  const list: ServiceEvent[] = [];
  for (let i = added.length - 1; i >= 0 && list.length < maxServiceEvents; i--) list.push(added[i]!);
  for (let i = 0; i < events.length && list.length < maxServiceEvents; i++) list.push(events[i]!);
  return { events: list, added };
}

/**
 * ECS's event wording, in one place, so tests and docs can quote it: the developer guide's "Service
 * event messages" page (service-event-messages.html) and the events ECS writes as its deployment,
 * circuit-breaker and load-balancer pages show them. Baton's own detail (which task, which filter)
 * goes in the event's separate `detail`, never into ECS's sentence. `instanceLost`, `taskFailed`,
 * `missingTaskDefinition` and `imageUnresolved` are Baton's own events (ECS documents none for these cases).
 */
export const serviceMessages = {
  steadyState: (service: string) => `(service ${service}) has reached a steady state.`,
  startedTasks: (service: string, taskIds: readonly string[]) =>
    `(service ${service}) has started ${taskIds.length} ${taskIds.length === 1 ? 'task' : 'tasks'}: ${taskIds.map((t) => `(task ${t})`).join(' ')}.`,
  stoppedTasks: (service: string, taskIds: readonly string[]) =>
    `(service ${service}) has stopped ${taskIds.length} running ${taskIds.length === 1 ? 'task' : 'tasks'}: ${taskIds.map((t) => `(task ${t})`).join(' ')}.`,
  deploymentBlocked: (service: string) =>
    `(service ${service}) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.`,
  deploymentCompleted: (service: string, deploymentId: string) =>
    `(service ${service}) (deployment ${deploymentId}) deployment completed.`,
  deploymentFailed: (service: string, deploymentId: string, reason: string) =>
    `(service ${service}) (deployment ${deploymentId}) deployment failed: ${reason}`,
  /** The deployment rolled back to (circuit breaker with rollback): "(service x) rolling back to deployment ecs-svc/…." */
  rollingBack: (service: string, toDeploymentId: string) =>
    `(service ${service}) rolling back to deployment ${toDeploymentId}.`,
  unableToPlace: (service: string, explanation: string) => `(service ${service}) was ${explanation}`,
  /** "(service x) was unable to place a task. Reason: …" (the page's quota and internal-error examples). */
  unableToPlaceReason: (service: string, reason: string) =>
    `(service ${service}) was unable to place a task. Reason: ${/[.!?]$/.test(reason) ? reason : `${reason}.`}`,
  throttled: (service: string) => `(service ${service}) is unable to consistently start tasks successfully.`,
  unhealthyTask: (service: string, taskId: string, reason: string) =>
    `(service ${service}) (task ${taskId}) failed container health checks. ${reason}`.trim(),
  /**
   * ECS's load-balancer health event: "(service x) (instance i-…) (port 32768) is unhealthy in
   * target-group my-tg due to (reason Health checks failed)." — the target group's name and ELB's own
   * reason description ("Request timed out", "Health checks failed with these codes: [502]").
   */
  unhealthyTarget: (
    service: string,
    target: {
      readonly instanceId?: string;
      readonly port?: number;
      readonly targetGroupName: string;
      readonly description?: string;
    },
  ) =>
    `(service ${service})${target.instanceId ? ` (instance ${target.instanceId})` : ''}${target.port === undefined ? '' : ` (port ${target.port})`} is unhealthy in target-group ${target.targetGroupName} due to (reason ${target.description ?? 'Health checks failed'}).`,
  missingTaskDefinition: (service: string, taskDefinition: string) =>
    `(service ${service}) was unable to find task definition ${taskDefinition}.`,
  instanceLost: (service: string, instanceId: string, count: number) =>
    `(service ${service}) lost contact with container instance ${instanceId}; replacing ${count} ${count === 1 ? 'task' : 'tasks'}.`,
  drained: (service: string) => `(service ${service}) has been drained and is now INACTIVE.`,
  taskFailed: (service: string, taskId: string, reason: string) =>
    `(service ${service}) (task ${taskId}) stopped: ${reason}.`,
  /** Baton's own: the controller could not resolve a new deployment's image to a digest (it tries again). */
  imageUnresolved: (
    service: string,
    deploymentId: string,
    container: string,
    image: string,
    reason: string,
  ) =>
    `(service ${service}) (deployment ${deploymentId}) was unable to resolve the image ${image} of container ${container} to a digest: ${reason}. Its tasks use the image as given until it resolves.`,
} as const;
