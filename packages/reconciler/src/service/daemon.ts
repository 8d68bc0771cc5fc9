import type { Deployment, TaskDefinition } from '@baton-ecs/model';
import { deploymentLimits } from '@baton-ecs/model';
import type { Classification, ClassifiedTask } from './classify.js';
import { deploymentLimitsFor } from './deployment-limits.js';
import type { ServicePass } from './pass.js';
import { daemonEligibility, placeDaemonTask } from './placement.js';
import { serviceMessages } from './service-events.js';

export interface DaemonArgs {
  readonly pass: ServicePass;
  readonly classification: Classification;
  readonly primary: Deployment;
  readonly launchTaskDefinition: TaskDefinition | undefined;
  readonly launchesBlocked: boolean;
  readonly draining: boolean;
}

/**
 * DAEMON services: one task per eligible ACTIVE instance. None on DRAINING
 * instances — there the daemon task stops last, after the instance's other
 * tasks; tasks on instances that no longer meet the constraints stop.
 * Revisions roll instance by instance within the deployment limits, with
 * the number of eligible instances as the desired count.
 */
/**
 * Returns how many instances still wait for their task — for an old task to finish stopping, or for
 * room ("Amazon ECS continues to try and schedule the task on the instance by waiting for resources to
 * become available", ecs_services.html, Daemon): the deployment is not complete, nor the service
 * steady, while any does.
 */
export function reconcileDaemon(args: DaemonArgs): { readonly waiting: number } {
  const { pass, primary } = args;
  const group = `service:${pass.input.service.serviceName}`;
  const eligibility =
    args.draining || !args.launchTaskDefinition
      ? {
          eligible: new Set<string>(),
          placeable: new Set<string>(),
          cannotFit: [] as { arn: string; sentence: string }[],
        }
      : daemonEligibility(pass, args.launchTaskDefinition);
  const live = args.classification.live.filter((c) => !pass.stopped(c));
  const byInstance = new Map<string, ClassifiedTask[]>();
  for (const c of live) {
    const arn = c.task.containerInstanceArn ?? '';
    byInstance.set(arn, [...(byInstance.get(arn) ?? []), c]);
  }

  // Tasks where no daemon task belongs.
  for (const [arn, tasks] of byInstance) {
    if (eligibility.eligible.has(arn)) continue;
    const instance = tasks[0]?.instance;
    if (instance?.status === 'DRAINING' && !args.draining) {
      const others = pass.hasOtherLiveTasks(arn, group);
      if (others) continue; // launched first, stopped last
    }
    const reason = args.draining
      ? 'Task stopped because the service is being deleted'
      : instance?.status === 'DRAINING'
        ? `Task stopped because container instance ${instance.ec2InstanceId} is DRAINING`
        : 'Task stopped because its container instance no longer meets the placement constraints';
    for (const c of tasks) pass.stop(c, 'ServiceSchedulerInitiated', reason);
  }

  // maximumPercent is 100 for DAEMON services, so only minimumHealthyPercent paces a rollout.
  const { minimumHealthyPercent, maximumPercent } = deploymentLimits(pass.input.service);
  const limits = deploymentLimitsFor(eligibility.eligible.size, minimumHealthyPercent, maximumPercent);
  const stillLive = () => live.filter((c) => !pass.stopped(c));
  // maximumPercent bounds every task not yet STOPPED — RUNNING, PENDING or STOPPING — as for REPLICA
  // services (developer guide, deployment-type-ecs.html), and a DAEMON service's is 100 ("If a
  // deployment configuration is specified, the maximum percent parameter must be 100", ecs_services.html,
  // Daemon): on an instance whose task is still stopping, its successor starts once it has stopped.
  const onEligible = (c: ClassifiedTask) => eligibility.eligible.has(c.task.containerInstanceArn ?? '');
  const notYetStopped = args.classification.all.filter(
    (c) => onEligible(c) && c.task.lastStatus !== 'STOPPED',
  ).length;
  let started = 0;
  let waitingForStops = 0;
  let canStopHealthy = Math.max(
    0,
    stillLive().filter((c) => c.health.state === 'healthy').length - limits.minimumHealthy,
  );

  for (const arn of [...eligibility.eligible].sort()) {
    const tasks = (byInstance.get(arn) ?? []).filter((c) => !pass.stopped(c));
    const current = tasks.filter((c) => c.task.startedBy === primary.id && c.health.state !== 'unhealthy');
    // Extra or unhealthy or old tasks on this instance.
    const keep = current[0];
    for (const c of tasks) {
      if (c === keep) continue;
      const oldRevision = c.task.startedBy !== primary.id;
      if (oldRevision && c.health.state === 'healthy') {
        // Roll instance by instance: the old task stops within minimumHealthyPercent, its successor follows.
        if (canStopHealthy <= 0 || args.launchesBlocked) continue;
        canStopHealthy--;
      }
      pass.stop(
        c,
        'ServiceSchedulerInitiated',
        c.health.state === 'unhealthy'
          ? c.health.reason
          : `Task stopped by the service scheduler: replaced by deployment ${primary.id}`,
      );
    }
    const free = tasks.every((c) => pass.stopped(c));
    if (
      !keep &&
      free &&
      eligibility.placeable.has(arn) &&
      !args.launchesBlocked &&
      args.launchTaskDefinition
    ) {
      if (notYetStopped + started < limits.maximumTotal) {
        placeDaemonTask(pass, primary, args.launchTaskDefinition, arn);
        started++;
      } else waitingForStops++;
    }
  }
  let waitingForRoom = 0;
  for (const f of eligibility.cannotFit) {
    if ((byInstance.get(f.arn) ?? []).length > 0) continue; // its old task still holds the resources
    waitingForRoom++;
    // ECS's placement sentence, naming this instance as the closest match; Baton's detail: which instance.
    pass.say(serviceMessages.unableToPlace(pass.name, f.sentence), `container instance ${f.arn}`);
  }
  return { waiting: waitingForStops + waitingForRoom };
}
