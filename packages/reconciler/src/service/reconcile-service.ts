import { type Deployment, type Service, type Task, taskStatusRank } from '@baton-ecs/model';
import { ReconcileInputError } from '../errors.js';
import { type ClassifiedTask, classifyTasks } from './classify.js';
import { reconcileDaemon } from './daemon.js';
import { circuitBreakerThreshold } from './deployment-limits.js';
import { ensurePrimaryDeployment, pruneDeployments, rollBackTo, rollbackTarget } from './deployments.js';
import {
  advanceDeploymentFailures,
  circuitBreakerVerdict,
  launchThrottle,
  StoppedTaskCursor,
} from './failures.js';
import { newEventId, taskIdOf } from './ids.js';
import { throttleEventAfterFailures } from './launch-throttle.js';
import { resolveServiceTaskDefinition, ServicePass } from './pass.js';
import type { ServicePlan, ServiceReconcileContext, ServiceReconcileInput } from './plan.js';
import { reconcileReplicas } from './replica.js';
import { appendServiceEvents, serviceMessages } from './service-events.js';
import { countLive, patch, sameArray, updateDeploymentCounts } from './service-status.js';
import { steadyPlan } from './steady.js';

/**
 * One pass of ECS's service scheduler for one service, as a pure function:
 * which tasks to start (placed), which to stop and why, and the service's new
 * status and events. It reads only its arguments; `ctx.now` is the clock and
 * `ctx.random` the only randomness, so a pass is reproducible.
 */
export function reconcileService(input: ServiceReconcileInput, ctx: ServiceReconcileContext): ServicePlan {
  const original = input.service;
  const name = original.serviceName;
  if (original.status === 'INACTIVE') return { service: original, startTasks: [], stopTasks: [], events: [] };
  // Most services in most passes: nothing to do, seen from the counts the cluster state keeps.
  const steady = steadyPlan(input, ctx);
  if (steady !== undefined) return steady;
  const pass = new ServicePass(input, ctx, name);
  const draining = original.status === 'DRAINING';
  const daemon = original.schedulingStrategy === 'DAEMON';
  const desiredCount = draining ? 0 : (original.desiredCount ?? 0);
  let service: Service = original;

  // The deployment of the service's task definition is PRIMARY.
  const resolved = resolveServiceTaskDefinition(original.taskDefinition, input.taskDefinitions);
  if (resolved) assertRegistered(resolved[0], resolved[1]);
  let deployments: Deployment[];
  if (resolved && !draining) {
    const forced = original.forceNewDeploymentRequestedAt !== undefined;
    deployments = ensurePrimaryDeployment(
      original.deployments,
      resolved[0],
      desiredCount,
      ctx.now,
      ctx.random,
      forced,
    ).deployments;
    if (forced) {
      const { forceNewDeploymentRequestedAt: _served, ...rest } = service;
      service = rest;
    }
  } else {
    deployments = [...original.deployments];
  }
  if (!resolved && !draining) {
    pass.say(serviceMessages.missingTaskDefinition(name, original.taskDefinition));
  }

  const classification = classifyTasks(input, ctx, pass.state);

  // Tasks on lost instances are replaced; nobody can stop their containers now.
  let lostByInstance: Map<string, number> | undefined;
  for (const c of classification.live) {
    if (!c.lost) continue;
    lostByInstance ??= new Map();
    const id = c.instance?.ec2InstanceId ?? c.task.containerInstanceArn ?? 'unknown';
    // ECS's stop code for a task stopped because of its infrastructure (stopped-task-error-codes).
    pass.stop(c, 'InfrastructureHealth', `Task stopped because container instance ${id} was lost`, true);
    lostByInstance.set(id, (lostByInstance.get(id) ?? 0) + 1);
  }
  if (lostByInstance)
    for (const [id, n] of lostByInstance) pass.say(serviceMessages.instanceLost(name, id, n));

  // Failure counts and the circuit breaker.
  const breaker = original.deploymentConfiguration.deploymentCircuitBreaker;
  const trackResets = breaker.enable && breaker.resetOnHealthyTask !== false;
  deployments = deployments.map((d) => {
    // Healthy tasks are tracked only while the breaker watches this rollout.
    const watched = trackResets && d.status === 'PRIMARY' && d.rolloutState === 'IN_PROGRESS';
    const healthyIds = watched ? healthyTaskIdsOf(classification.live, d.id) : undefined;
    return advanceDeploymentFailures(d, input.tasks, healthyIds);
  });
  let primary = deployments.find((d) => d.status === 'PRIMARY');
  if (primary && breaker.enable && primary.rolloutState === 'IN_PROGRESS' && !draining) {
    const reason = circuitBreakerVerdict(
      primary,
      circuitBreakerThreshold(daemon ? Math.max(1, pass.state.size) : desiredCount),
    );
    if (reason !== undefined) {
      const failedId = primary.id;
      deployments = deployments.map((d) =>
        d.id === failedId
          ? { ...d, rolloutState: 'FAILED' as const, rolloutStateReason: reason, updatedAt: ctx.now }
          : d,
      );
      pass.say(serviceMessages.deploymentFailed(name, failedId, reason));
      const target = breaker.rollback ? rollbackTarget(deployments, failedId) : undefined;
      if (target && input.taskDefinitions.has(target.taskDefinition)) {
        deployments = rollBackTo(deployments, target, desiredCount, ctx.now, ctx.random);
        service = { ...service, taskDefinition: target.taskDefinition };
        pass.say(serviceMessages.rollingBack(name, target.id));
      }
      primary = deployments.find((d) => d.status === 'PRIMARY');
    }
  }

  // Tasks that stopped on their own since the last report: say why (their replacements follow).
  const reported = new StoppedTaskCursor(service.failuresReportedThrough, service.failuresReportedRecently);
  for (const t of input.tasks) {
    if (t.lastStatus !== 'STOPPED' || t.stoppedAt === undefined) continue;
    if (
      t.stopCode === 'UserInitiated' ||
      t.stopCode === 'ServiceSchedulerInitiated' ||
      t.stopCode === 'InfrastructureHealth'
    )
      continue;
    if (!reported.isNew(t, t.stoppedAt)) continue;
    pass.say(serviceMessages.taskFailed(name, taskIdOf(t.taskArn), failureReason(t)));
    reported.see(t, t.stoppedAt);
  }

  // Throttling: tasks that keep stopping before they start back the service off.
  const launchTd = primary ? input.taskDefinitions.get(primary.taskDefinition) : undefined;
  const throttle = primary ? launchThrottle(service, primary.taskDefinition, input.tasks) : undefined;
  const throttled = throttle?.nextLaunchAt !== undefined && throttle.nextLaunchAt > ctx.now;
  if (throttled && throttle.consecutiveFailures >= throttleEventAfterFailures)
    pass.say(serviceMessages.throttled(name));
  const primaryFailed = primary?.rolloutState === 'FAILED';
  const launchesBlocked = draining || throttled || primaryFailed || !launchTd;

  // DAEMON: instances still waiting for their task (an old one stopping, or room) keep the rollout going.
  let daemonWaiting = 0;
  if (primary) {
    if (daemon) {
      daemonWaiting = reconcileDaemon({
        pass,
        classification,
        primary,
        launchTaskDefinition: launchTd,
        launchesBlocked,
        draining,
      }).waiting;
    } else {
      reconcileReplicas({
        pass,
        classification,
        primary,
        launchTaskDefinition: launchTd,
        desiredCount,
        launchesBlocked,
        freezeOldDeployments: primaryFailed,
      });
    }
  } else {
    // No deployment to keep (draining a service that never had one): stop everything.
    for (const c of classification.live)
      pass.stop(c, 'ServiceSchedulerInitiated', 'Task stopped because the service is being deleted');
  }
  if (pass.starts.length > 0)
    pass.say(
      serviceMessages.startedTasks(
        name,
        pass.starts.map((t) => t.taskArn.slice(t.taskArn.lastIndexOf('/') + 1)),
      ),
    );
  if (pass.stoppedRunningIds.length > 0) pass.say(serviceMessages.stoppedTasks(name, pass.stoppedRunningIds));

  // Status after this pass.
  const after: Task[] = [];
  let healthyPrimary = 0;
  for (const c of classification.live) {
    if (pass.stopped(c)) continue;
    after.push(c.task);
    if (c.task.startedBy === primary?.id && c.health.state === 'healthy') healthyPrimary++;
  }
  for (const t of pass.starts) after.push(t);
  const counts = countLive(after);
  const primaryCounts = primary ? counts.byDeployment.get(primary.id) : undefined;
  const primaryLive = primaryCounts ? primaryCounts.running + primaryCounts.pending : 0;
  const otherLive = after.length - primaryLive;
  const wanted = daemon ? primaryLive + daemonWaiting : desiredCount;
  deployments = updateDeploymentCounts(deployments, counts, wanted, ctx.now);

  const changed = pass.starts.length > 0 || pass.stops.size > 0;
  if (primary && primary.rolloutState !== 'FAILED') {
    const settled = !changed && otherLive === 0 && primaryLive === wanted && healthyPrimary === wanted;
    if (settled && primary.rolloutState === 'IN_PROGRESS') {
      deployments = deployments.map((d) =>
        d.id === primary?.id
          ? {
              ...d,
              rolloutState: 'COMPLETED' as const,
              rolloutStateReason: `ECS deployment ${d.id} completed.`,
            }
          : d,
      );
      pass.say(serviceMessages.deploymentCompleted(name, primary.id));
    }
    if (settled && !throttled && !draining) pass.say(serviceMessages.steadyState(name));
  }

  let status = service.status;
  if (draining && after.length === 0 && pass.stops.size === 0) {
    // DeleteService (API reference): "After all tasks have transitioned to either STOPPING or STOPPED
    // status, the service status moves from DRAINING to INACTIVE." A task still DEACTIVATING (draining
    // from its load balancer) has not reached STOPPING yet.
    const stopping = taskStatusRank('STOPPING');
    const notYetStopping = input.tasks.some(
      (t) => t.desiredStatus === 'STOPPED' && taskStatusRank(t.lastStatus) < stopping,
    );
    if (!notYetStopping) {
      status = 'INACTIVE';
      pass.say(serviceMessages.drained(name));
    }
  }

  const { events, added } = appendServiceEvents(service.events, pass.messages, ctx.now, () =>
    newEventId(ctx.random),
  );
  const pruned = sameArray(original.deployments, pruneDeployments(deployments));
  let next: Service = patch(service, {
    status,
    deployments: pruned as Deployment[],
    runningCount: counts.running,
    pendingCount: counts.pending,
    events: events as Service['events'],
  });
  const reportedState = reported.state();
  if (reportedState.recent !== service.failuresReportedRecently)
    next = {
      ...next,
      failuresReportedThrough: reportedState.through!,
      failuresReportedRecently: [...(reportedState.recent ?? [])],
    };
  const previousThrottle = service.launchThrottle;
  if (!sameThrottle(previousThrottle, throttle)) {
    const { launchThrottle: _dropped, ...rest } = next;
    next = throttle ? { ...rest, launchThrottle: throttle } : rest;
  }

  let recheckAt = classification.recheckAt;
  if (throttled && throttle?.nextLaunchAt !== undefined)
    recheckAt = Math.min(recheckAt ?? Infinity, throttle.nextLaunchAt);
  return {
    /** The same object as `input.service` when the pass changed nothing. */
    service: next,
    startTasks: pass.starts,
    stopTasks: [...pass.stops.values()],
    events: added,
    ...(next.launchThrottle ? { launchThrottle: next.launchThrottle } : {}),
    ...(recheckAt !== undefined ? { requeueAfterMs: Math.max(0, recheckAt - ctx.now) } : {}),
  };
}

function sameThrottle(a: Service['launchThrottle'], b: Service['launchThrottle']): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.taskDefinition === b.taskDefinition &&
    a.consecutiveFailures === b.consecutiveFailures &&
    a.nextLaunchAt === b.nextLaunchAt &&
    a.countedThrough === b.countedThrough
  );
}

/** The task's stoppedReason, with the exit code of its essential container when there is one. */
function failureReason(task: Task): string {
  const reason = (task.stoppedReason ?? task.stopCode ?? 'stopped').replace(/\.$/, '');
  const exited = task.containers.find((c) => c.exitCode !== undefined);
  return exited && task.stopCode === 'EssentialContainerExited'
    ? `${reason} (${exited.name} exit code ${exited.exitCode})`
    : reason;
}

/** Tasks name their definition by ARN: a definition that has none (parsed, never registered) can't run. */
function assertRegistered(
  key: string,
  td: { readonly taskDefinitionArn?: string; readonly revision?: number },
): void {
  if (td.taskDefinitionArn === undefined || td.revision === undefined) {
    throw new ReconcileInputError(
      'taskDefinitions',
      'holds a task definition with no taskDefinitionArn or revision; register it (registerTaskDefinition) and pass the registered one',
    );
  }
  if (key !== td.taskDefinitionArn) {
    throw new ReconcileInputError(
      'taskDefinitions',
      `is keyed by ${key} but that task definition's taskDefinitionArn is ${td.taskDefinitionArn}; key it by its own ARN`,
    );
  }
}

/** The sorted short ids of a deployment's healthy live tasks (one pass, no intermediate arrays). */
function healthyTaskIdsOf(live: readonly ClassifiedTask[], deploymentId: string): string[] {
  const ids: string[] = [];
  for (let i = 0; i < live.length; i++) {
    const c = live[i]!;
    if (c.task.startedBy === deploymentId && c.health.state === 'healthy') ids.push(taskIdOf(c.task.taskArn));
  }
  return ids.length > 1 ? ids.sort() : ids;
}
