import type { Deployment, TaskDefinition } from '@baton-ecs/model';
import { deploymentLimits, targetGroupNameOf } from '@baton-ecs/model';
import type { Classification, ClassifiedTask } from './classify.js';
import { deploymentLimitsFor } from './deployment-limits.js';
import type { ServicePass } from './pass.js';
import { placeServiceTasks, selectTasksForScaleIn } from './placement.js';
import { defaultLaunchBatchSize } from './plan.js';
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
 * ceil(D·min/100) healthy and at most floor(D·max/100) tasks alive.
 *
 * "Alive" counts tasks still STOPPING: a stop frees room only once the task
 * has STOPPED. ECS's UpdateContainerInstancesState reference: "If the maximum
 * is 100%, then replacement tasks can't start until the draining tasks have
 * stopped" (also the developer guide's container-instance-draining page).
 *
 * Unhealthy tasks of the PRIMARY are replaced first and stopped as their
 * replacements become healthy; when maximumPercent leaves no room for a
 * replacement they are stopped one by one (developer guide,
 * deployment-type-ecs.html; API reference, DeploymentConfiguration
 * maximumPercent and minimumHealthyPercent).
 */
export function reconcileReplicas(args: ReplicaArgs): void {
  if (replicasAtRest(args)) return;
  reconcileReplicasInFull(args);
}

/**
 * Whether reconcileReplicas has nothing to do: exactly desiredCount live tasks, every one of the
 * PRIMARY, on an instance that is not DRAINING, and none unhealthy. Then no rule below stops or
 * starts a task or says anything (nothing old to replace, nothing to drain, no surplus, no
 * shortfall), so the steady state — most services in most passes — skips the rules' many passes
 * over the tasks. Tasks still STOPPING from earlier passes change none of that.
 * test/service/replica-at-rest.test.ts checks the two paths decide the same on random services.
 */
export function replicasAtRest(args: ReplicaArgs): boolean {
  const { pass, primary } = args;
  const live = args.classification.live;
  if (live.length !== args.desiredCount) return false;
  const primaryId = primary.id;
  for (let i = 0; i < live.length; i++) {
    const c = live[i]!;
    if (c.task.startedBy !== primaryId || c.draining || c.health.state === 'unhealthy' || pass.stopped(c))
      return false;
  }
  return true;
}

/** reconcileReplicas without the at-rest shortcut: every rule, in order. */
export function reconcileReplicasInFull(args: ReplicaArgs): void {
  const { pass, primary, desiredCount: D } = args;
  const service = pass.input.service;
  const { minimumHealthyPercent, maximumPercent } = deploymentLimits(service);
  const limits = deploymentLimitsFor(D, minimumHealthyPercent, maximumPercent);
  const isPrimary = (c: ClassifiedTask) => c.task.startedBy === primary.id;

  let live = args.classification.live.filter((c) => !pass.stopped(c));
  // Tasks asked to stop in an earlier pass that have not STOPPED yet still hold their place.
  const stoppingBefore = args.classification.all.filter(
    (c) => !c.live && c.task.lastStatus !== 'STOPPED',
  ).length;

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
  // Every task not yet STOPPED counts toward maximumPercent, including those stopped this pass.
  const total = live.length + stoppingBefore;
  live = live.filter((c) => !pass.stopped(c));
  let started = 0;
  const roomNow = () => Math.max(0, limits.maximumTotal - total - started);

  const healthyCount = live.filter((c) => c.health.state === 'healthy').length;
  let canStopHealthy = Math.max(0, healthyCount - limits.minimumHealthy);

  const stopUnhealthy = (c: ClassifiedTask) => {
    const reason = c.health.state === 'unhealthy' ? c.health.reason : stoppedReasons.containerHealth;
    pass.stop(c, 'ServiceSchedulerInitiated', reason);
    const id = c.task.taskArn.slice(c.task.taskArn.lastIndexOf('/') + 1);
    const target = pass.input.targetHealth?.get(c.task.taskArn);
    if (reason === stoppedReasons.containerHealth || !target)
      pass.say(serviceMessages.unhealthyTask(pass.name, id, ''));
    else
      pass.say(
        serviceMessages.unhealthyTarget(pass.name, {
          ...(c.instance?.ec2InstanceId ? { instanceId: c.instance.ec2InstanceId } : {}),
          ...(target.port !== undefined ? { port: target.port } : {}),
          targetGroupName: targetGroupNameOf(target.targetGroup),
          ...(target.description ? { description: target.description } : {}),
        }),
        `task ${id}`,
      );
  };
  const unhealthy = (c: ClassifiedTask) => c.health.state === 'unhealthy';
  const byAge = (a: ClassifiedTask, b: ClassifiedTask) => (a.task.createdAt ?? 0) - (b.task.createdAt ?? 0);

  // Unhealthy tasks of old deployments are being replaced by the rollout anyway: they stop at once.
  for (const c of live.filter((x) => !isPrimary(x) && unhealthy(x))) stopUnhealthy(c);
  live = live.filter((c) => !pass.stopped(c));

  const stopFree = (c: ClassifiedTask, reason: string) => {
    if (c.health.state === 'healthy') {
      if (canStopHealthy <= 0) return false;
      canStopHealthy--;
    }
    pass.stop(c, 'ServiceSchedulerInitiated', reason);
    return true;
  };
  // Tasks that are not healthy go first: stopping them never costs healthy capacity.
  const byHealthLast = (a: ClassifiedTask, b: ClassifiedTask) =>
    Number(a.health.state === 'healthy') - Number(b.health.state === 'healthy') || byAge(a, b);

  // Old deployments drain toward the PRIMARY. A RUNNING task whose health is
  // still being established is neither stopped nor counted: it may be serving.
  if (!args.freezeOldDeployments) {
    for (const c of live
      .filter((x) => !isPrimary(x) && !(x.running && x.health.state === 'pending'))
      .sort(byHealthLast)) {
      stopFree(c, `Task stopped by the service scheduler: replaced by deployment ${primary.id}`);
    }
  }
  // The PRIMARY's tasks that serve (or will): not stopped, not draining, not unhealthy.
  function primaryGood(): ClassifiedTask[] {
    return live.filter((c) => isPrimary(c) && !pass.stopped(c) && !c.draining && !unhealthy(c));
  }
  // Tasks on DRAINING instances are replaced elsewhere, within the same limits.
  const drainable = (x: ClassifiedTask) =>
    isPrimary(x) && x.draining && !pass.stopped(x) && !(x.running && x.health.state === 'pending');
  for (const c of live.filter(drainable).sort(byHealthLast)) {
    // Start the replacement first when maximumPercent leaves room for it.
    if (roomNow() > 0 && primaryGood().length < D) break;
    stopFree(c, `Task stopped because container instance ${c.instance?.ec2InstanceId} is DRAINING`);
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

  // Unhealthy PRIMARY tasks stop as healthy replacements take their place.
  const unhealthyPrimary = live.filter((c) => isPrimary(c) && unhealthy(c) && !pass.stopped(c)).sort(byAge);
  const healthyServing = primaryGood().filter((c) => c.health.state === 'healthy').length;
  let replaced = Math.max(0, healthyServing + unhealthyPrimary.length - D);
  for (const c of unhealthyPrimary) {
    if (replaced <= 0) break;
    stopUnhealthy(c);
    replaced--;
  }

  // Launch what the PRIMARY still lacks, within maximumPercent.
  const need = Math.max(0, D - primaryGood().length);
  const batch = pass.ctx.launchBatchSize ?? defaultLaunchBatchSize;
  const toStart = args.launchesBlocked || !args.launchTaskDefinition ? 0 : Math.min(need, roomNow(), batch);
  if (toStart > 0 && args.launchTaskDefinition) {
    started += placeServiceTasks(pass, primary, args.launchTaskDefinition, toStart);
  }

  // No room for a replacement (or no launches at all): unhealthy tasks stop one at a time, each
  // after the previous one has STOPPED and its replacement is healthy, to make room.
  const stillUnhealthy = unhealthyPrimary.filter((c) => !pass.stopped(c));
  const inFlight =
    stoppingBefore > 0 ||
    pass.stops.size > 0 ||
    pass.starts.length > 0 ||
    primaryGood().some((c) => c.health.state !== 'healthy');
  if (stillUnhealthy.length > 0 && need > 0 && (roomNow() === 0 || args.launchesBlocked) && !inFlight) {
    stopUnhealthy(stillUnhealthy[0]!);
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
    stoppingBefore === 0 &&
    roomNow() === 0 &&
    canStopHealthy === 0 &&
    nothingPending
  ) {
    pass.say(serviceMessages.deploymentBlocked(pass.name));
  }
}
