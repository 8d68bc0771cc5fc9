import type { Service, Task } from '@baton-ecs/model';
import { ClusterState } from '@baton-ecs/scheduler';
import { pruneDeployments } from './deployments.js';
import { advanceDeploymentFailures, failedToLaunch, StoppedTaskCursor } from './failures.js';
import type { ServicePlan, ServiceReconcileContext, ServiceReconcileInput } from './plan.js';
import { duplicateEventWindowMs, serviceMessages } from './service-events.js';
import { sameArray } from './service-status.js';
import { hasEssentialHealthCheck, implicitHealthyAfterMs } from './task-health.js';

/**
 * The plan of a REPLICA service at its steady state, decided from the counts the ClusterState keeps
 * of the service's tasks (ClusterState.groupTasks) instead of from the task records themselves;
 * undefined when those counts cannot prove it (then the full pass decides).
 *
 * The counts describe the tasks the state was given, so they are used only when `input.tasks` is
 * the state's own list of them (the very same array: the service controller passes it). Then the
 * pass is at rest exactly when every rule of reconcileService would leave the service as it is:
 * desiredCount live tasks, all of the one PRIMARY deployment and its task definition, RUNNING and
 * healthy, on ACTIVE instances with connected agents; the deployment COMPLETED and its counts already
 * recorded; no STOPPED task the failure counts, failure events or launch throttle have yet to see; and
 * the steady-state event already the newest (ECS repeats it only after 6 hours). STOPPED tasks are
 * read (the few still retained), live ones never. test/service/steady.test.ts checks on random
 * services that whenever this returns a plan, the full pass returns the same one.
 */
export function steadyPlan(
  input: ServiceReconcileInput,
  ctx: ServiceReconcileContext,
): ServicePlan | undefined {
  const service = input.service;
  const state = input.cluster;
  if (
    !(state instanceof ClusterState) ||
    service.status !== 'ACTIVE' ||
    service.schedulingStrategy === 'DAEMON' ||
    service.forceNewDeploymentRequestedAt !== undefined ||
    service.launchThrottle !== undefined ||
    service.loadBalancers.length > 0
  )
    return undefined;
  const name = service.serviceName;
  const group = `service:${name}`;
  const tasks = state.groupTasks(group);
  // The counts are of the tasks the state holds: they say nothing of another list.
  if (tasks === undefined || (tasks.all as readonly Task[]) !== input.tasks) return undefined;

  // The service's task definition, named by its registered ARN (anything else: the full pass says why).
  const tdArn = service.taskDefinition;
  const td = input.taskDefinitions.get(tdArn);
  if (td === undefined || td.taskDefinitionArn !== tdArn || td.revision === undefined) return undefined;

  // One PRIMARY deployment, of that task definition, COMPLETED, its counts up to date; others INACTIVE and empty.
  const D = service.desiredCount ?? 0;
  let primary: Service['deployments'][number] | undefined;
  for (const d of service.deployments) {
    if (d.status === 'PRIMARY') {
      if (primary !== undefined) return undefined;
      primary = d;
    } else if (d.status !== 'INACTIVE' || d.runningCount !== 0 || d.pendingCount !== 0) return undefined;
  }
  if (
    primary === undefined ||
    primary.taskDefinition !== tdArn ||
    primary.rolloutState !== 'COMPLETED' ||
    primary.desiredCount !== D ||
    primary.runningCount !== D ||
    primary.pendingCount !== 0 ||
    service.runningCount !== D ||
    service.pendingCount !== 0
  )
    return undefined;

  // Live tasks: desiredCount, all the PRIMARY's, RUNNING, of its task definition, on known instances.
  if (
    tasks.live !== D ||
    tasks.liveStartedBy(primary.id) !== D ||
    tasks.liveRunning !== D ||
    tasks.liveOfTaskDefinition(tdArn) !== D ||
    tasks.liveUnplaced !== 0
  )
    return undefined;
  // None on a DRAINING or INACTIVE instance or one whose agent is disconnected.
  if (state.impairedInstances > 0) {
    for (const index of state.groupDistribution(group).keys()) {
      const r = state.records[index]!;
      if (r.status !== 'ACTIVE' || !r.agentConnected) return undefined;
    }
  }
  // All healthy (taskHealthForDeployment without a load balancer).
  if (hasEssentialHealthCheck(td)) {
    if (tasks.liveHealthy !== D) return undefined;
  } else if (
    tasks.liveNotStarted !== 0 ||
    (D > 0 && tasks.liveLatestStart + implicitHealthyAfterMs > ctx.now)
  )
    return undefined;

  // The pass would say the service reached a steady state: it must be the newest event already.
  const newest = service.events[0];
  if (
    newest === undefined ||
    newest.detail !== undefined ||
    ctx.now - newest.createdAt >= duplicateEventWindowMs ||
    newest.message !== serviceMessages.steadyState(name)
  )
    return undefined;

  // Deployments: the failure counts unchanged. Only STOPPED tasks move them, and the breaker's stage
  // (which becomes 2 once any task of the deployment has run) is checked from the counts.
  const stopped = tasks.stopped as readonly Task[];
  for (const d of service.deployments) {
    if (d.breakerStage !== 2 && tasks.startedOf(d.id) > 0) return undefined;
    if (advanceDeploymentFailures(d, stopped, undefined) !== d) return undefined;
  }
  if (sameArray(service.deployments, pruneDeployments(service.deployments)) !== service.deployments)
    return undefined;
  if (stopped.length > 0) {
    // No stop to report, and no launch failure to throttle.
    const reported = new StoppedTaskCursor(service.failuresReportedThrough, service.failuresReportedRecently);
    for (const t of stopped) {
      if (t.stoppedAt === undefined) continue;
      if (
        t.stopCode === 'UserInitiated' ||
        t.stopCode === 'ServiceSchedulerInitiated' ||
        t.stopCode === 'InfrastructureHealth'
      )
        continue;
      if (reported.isNew(t, t.stoppedAt)) return undefined;
    }
    for (const t of stopped) if (t.taskDefinitionArn === tdArn && failedToLaunch(t)) return undefined;
  }
  return { service, startTasks: [], stopTasks: [], events: [] };
}
