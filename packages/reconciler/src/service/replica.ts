import type { Deployment, TaskDefinition } from '@baton/model';
import { deploymentLimits } from '@baton/model';
import type { Classification, ClassifiedTask } from './classify.js';
import { deploymentLimitsFor } from './deployment-limits.js';
import type { ServicePass } from './pass.js';
import { placeServiceTasks, selectTasksForScaleIn } from './placement.js';
import { serviceMessages } from './service-events.js';
import { stoppedReasons } from './task-health.js';

export interface ReplicaArgs {
  readonly pass: ServicePass;
  readonly classification: Classification;
  readonly primary: Deployment;
  readonly launchTaskDefinition: TaskDefinition | undefined;
  readonly desiredCount: number;
  /** No launches this pass: circuit breaker tripped, or throttled, or the service is draining. */
  readonly launchesBlocked: boolean;
  /** Old deployments keep their tasks (the new one failed and will not replace them). */
  readonly freezeOldDeployments: boolean;
}

/**
 * REPLICA services: keep desiredCount tasks of the PRIMARY deployment, and
 * move from old deployments to it within ECS's limits — at least
 * ceil(D·min/100) healthy and at most floor(D·max/100) RUNNING + PENDING.
 */
export function reconcileReplicas(args: ReplicaArgs): void {
  const { pass, primary, desiredCount: D } = args;
  const service = pass.input.service;
  const { minimumHealthyPercent, maximumPercent } = deploymentLimits(service);
  const limits = deploymentLimitsFor(D, minimumHealthyPercent, maximumPercent);
  const isPrimary = (c: ClassifiedTask) => c.task.startedBy === primary.id;

  let live = args.classification.live.filter((c) => !pass.stopped(c));

  // A DRAINING instance's tasks that have not started yet stop at once.
  for (const c of live) {
    if (c.draining && !c.running) {
      pass.stop(
        c,
        'ServiceSchedulerInitiated',
        `Task stopped because container instance ${c.instance?.ec2InstanceId} is DRAINING`,
      );
    }
  }
  live = live.filter((c) => !pass.stopped(c));

  const healthyCount = live.filter((c) => c.health.state === 'healthy').length;
  let total = live.length;
  let canStopHealthy = Math.max(0, healthyCount - limits.minimumHealthy);
  const roomNow = () => Math.max(0, limits.maximumTotal - total);

  // Unhealthy tasks: replacement first when maximumPercent leaves room, else one at a time.
  const unhealthy = live.filter((c) => c.health.state === 'unhealthy');
  for (const c of roomNow() > 0 ? unhealthy : unhealthy.slice(0, 1)) {
    const reason = c.health.state === 'unhealthy' ? c.health.reason : stoppedReasons.containerHealth;
    pass.stop(c, 'ServiceSchedulerInitiated', reason);
    const id = c.task.taskArn.slice(c.task.taskArn.lastIndexOf('/') + 1);
    const target = pass.input.targetHealth?.get(c.task.taskArn);
    pass.say(
      reason === stoppedReasons.containerHealth || !target
        ? serviceMessages.unhealthyTask(pass.name, id, '')
        : serviceMessages.unhealthyTarget(pass.name, id, target.targetGroup, target.port),
    );
    total--;
  }
  live = live.filter((c) => !pass.stopped(c));

  const stopFree = (c: ClassifiedTask, reason: string) => {
    if (c.health.state === 'healthy') {
      if (canStopHealthy <= 0) return false;
      canStopHealthy--;
    }
    pass.stop(c, 'ServiceSchedulerInitiated', reason);
    total--;
    return true;
  };
  // Tasks that are not healthy go first: stopping them never costs healthy capacity.
  const byHealthLast = (a: ClassifiedTask, b: ClassifiedTask) =>
    Number(a.health.state === 'healthy') - Number(b.health.state === 'healthy') ||
    (a.task.createdAt ?? 0) - (b.task.createdAt ?? 0);

  // Old deployments drain toward the PRIMARY. A RUNNING task whose health is
  // still being established is neither stopped nor counted: it may be serving.
  if (!args.freezeOldDeployments) {
    for (const c of live
      .filter((x) => !isPrimary(x) && !(x.running && x.health.state === 'pending'))
      .sort(byHealthLast)) {
      stopFree(c, `Task stopped by the service scheduler: replaced by deployment ${primary.id}`);
    }
  }
  // Tasks on DRAINING instances are replaced elsewhere, within the same limits.
  const drainable = (x: ClassifiedTask) =>
    isPrimary(x) && x.draining && !pass.stopped(x) && !(x.running && x.health.state === 'pending');
  for (const c of live.filter(drainable).sort(byHealthLast)) {
    // Start the replacement first when maximumPercent leaves room for it.
    if (roomNow() > 0 && primaryGood().length < D) break;
    stopFree(c, `Task stopped because container instance ${c.instance?.ec2InstanceId} is DRAINING`);
  }
  function primaryGood(): ClassifiedTask[] {
    return live.filter((c) => isPrimary(c) && !pass.stopped(c) && !c.draining);
  }

  // Scale in: surplus PRIMARY tasks, the ones not yet healthy first, then by ECS's selection.
  const good = primaryGood();
  if (good.length > D) {
    const surplus = good.length - D;
    const notHealthy = good
      .filter((c) => c.health.state !== 'healthy')
      .sort(byHealthLast)
      .reverse();
    const chosen = notHealthy.slice(0, surplus);
    if (chosen.length < surplus) {
      const healthy = good.filter((c) => c.health.state === 'healthy');
      chosen.push(...selectTasksForScaleIn(pass, healthy, surplus - chosen.length));
    }
    for (const c of chosen) stopFree(c, 'Task stopped by the service scheduler: scaled in');
  }

  // Launch what the PRIMARY still lacks, within maximumPercent.
  const need = Math.max(0, D - primaryGood().length);
  const toStart = args.launchesBlocked || !args.launchTaskDefinition ? 0 : Math.min(need, roomNow());
  if (toStart > 0 && args.launchTaskDefinition) {
    const started = placeServiceTasks(pass, primary, args.launchTaskDefinition, toStart);
    total += started;
  }

  // Neither a start nor a stop is possible, and waiting will not change that.
  const oldLive = live.filter((c) => !isPrimary(c) && !pass.stopped(c)).length;
  const rolling = need > 0 || oldLive > 0;
  const nothingPending = live.every((c) => pass.stopped(c) || c.health.state === 'healthy');
  if (
    rolling &&
    !args.launchesBlocked &&
    !args.freezeOldDeployments &&
    pass.starts.length === 0 &&
    pass.stops.size === 0 &&
    roomNow() === 0 &&
    canStopHealthy === 0 &&
    nothingPending
  ) {
    pass.say(serviceMessages.deploymentBlocked(pass.name));
  }
}
