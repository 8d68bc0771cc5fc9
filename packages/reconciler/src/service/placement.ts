import {
  arns,
  type Deployment,
  defaultArnContext,
  type Service,
  type TaskDefinition,
} from '@baton-ecs/model';
import {
  describeClosest,
  formatEcsPlacementSentence,
  formatRejections,
  noInstanceMetRequirements,
  type PlacementExplanation,
  placeDaemonTasks,
  placeTasks,
  selectTasksToStop,
} from '@baton-ecs/scheduler';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { ClassifiedTask } from './classify.js';
import { newTaskId } from './ids.js';
import { newTask } from './new-task.js';
import type { ServicePass } from './pass.js';
import { serviceMessages } from './service-events.js';

/**
 * Asks the scheduler for `count` placements of the PRIMARY deployment's task
 * definition and records a new Task for each; says why when some do not fit.
 * Returns how many were placed.
 */
export function placeServiceTasks(
  pass: ServicePass,
  primary: Deployment,
  td: TaskDefinition,
  count: number,
): number {
  const service = pass.input.service;
  const random = pass.ctx.random;
  const arnContext = pass.ctx.arn ?? defaultArnContext;
  const taskIds: string[] = new Array(count);
  // The same strings become the tasks' ARNs: hashed once, by the state and then by the tasks' readers.
  const taskArns: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const id = newTaskId(random);
    taskIds[i] = id;
    taskArns[i] = arns.task(service.cluster, id, arnContext);
  }
  const result = placeTasks(
    {
      taskDefinition: td,
      count,
      group: `service:${service.serviceName}`,
      placementConstraints: service.placementConstraints,
      placementStrategy: service.placementStrategy,
      // Recorded under the tasks' own ARNs: when the created tasks reach a kept ClusterState they replace these.
      taskArns,
    },
    pass.state,
    { random },
  );
  if (isLeft(result)) {
    const failure = result.left;
    if (failure.type === 'NoInstanceMetRequirements') sayUnplaced(pass, failure.explanation);
    else pass.say(serviceMessages.unableToPlaceReason(pass.name, failure.message));
    return 0;
  }
  const holds = targetGroupsOf(service);
  for (const p of result.right.placements) {
    const instance = pass.instance(p.containerInstanceArn);
    if (!instance) continue;
    pass.starts.push(
      primaryTask(pass, primary, td, instance, taskIds[p.taskIndex]!, holds, taskArns[p.taskIndex]),
    );
  }
  if (result.right.unplacedCount > 0 && result.right.explanation) sayUnplaced(pass, result.right.explanation);
  return result.right.placements.length;
}

/** ECS's sentence as the event's message; Baton's per-filter breakdown in its `detail`. */
function sayUnplaced(pass: ServicePass, explanation: PlacementExplanation): void {
  const detail = explanation.instanceCount > 0 ? formatRejections(explanation.rejections) : '';
  pass.say(
    serviceMessages.unableToPlace(pass.name, formatEcsPlacementSentence(explanation)),
    detail || undefined,
  );
}

/** ECS's scale-in order, by the service's strategies reversed (the scheduler's selectTasksToStop). */
export function selectTasksForScaleIn(
  pass: ServicePass,
  candidates: readonly ClassifiedTask[],
  count: number,
): ClassifiedTask[] {
  const service = pass.input.service;
  const byArn = new Map(candidates.map((c) => [c.task.taskArn, c]));
  const chosen = selectTasksToStop(
    {
      group: `service:${service.serviceName}`,
      count,
      placementStrategy: service.placementStrategy,
      candidates: candidates.map((c) => c.task),
    },
    pass.state,
    { random: pass.ctx.random },
  );
  if (isLeft(chosen)) return candidates.slice(0, count);
  return chosen.right.map((t) => byArn.get(t.taskArn)!).filter(Boolean);
}

/**
 * Where a DAEMON task belongs: instances that are ACTIVE and meet the
 * constraints. `placeable` are those with no task of the service where a new
 * one fits now; `cannotFit` those where it does not, with ECS's reason.
 * DAEMON deployments allow at most 100%, so every placeable instance gets
 * its task in this pass unless launches are blocked.
 */
export function daemonEligibility(
  pass: ServicePass,
  td: TaskDefinition,
): { eligible: Set<string>; placeable: Set<string>; cannotFit: { arn: string; sentence: string }[] } {
  const service = pass.input.service;
  // Tasks this pass stopped no longer count as an instance's daemon task: they are recorded in the state.
  const result = placeDaemonTasks(
    {
      taskDefinition: td,
      group: `service:${service.serviceName}`,
      placementConstraints: service.placementConstraints,
    },
    pass.state,
    // Reservations are recorded per started task, under its ARN (placeDaemonTask).
    { record: false },
  );
  if (isLeft(result)) {
    pass.say(serviceMessages.unableToPlaceReason(pass.name, result.left.message));
    return { eligible: new Set(), placeable: new Set(), cannotFit: [] };
  }
  const { placements, alreadyRunning, unplaceable } = result.right;
  const placeable = new Set(placements.map((p) => p.containerInstanceArn));
  const eligible = new Set([
    ...placeable,
    ...alreadyRunning.map((p) => p.containerInstanceArn),
    ...unplaceable.map((p) => p.containerInstanceArn),
  ]);
  // ECS's sentence ("… no container instance met all of its requirements. The closest matching
  // container-instance <id> has insufficient memory available."), naming the instance that cannot fit.
  const cannotFit = unplaceable
    .filter((u) => u.filter !== 'agent')
    .map((u) => ({
      arn: u.containerInstanceArn,
      sentence: `${noInstanceMetRequirements} The closest matching container-instance ${u.containerInstanceId} ${describeClosest(u)}.`,
    }));
  return { eligible, placeable, cannotFit };
}
/** Records a new DAEMON task on one instance. */
export function placeDaemonTask(
  pass: ServicePass,
  primary: Deployment,
  td: TaskDefinition,
  instanceArn: string,
): boolean {
  const instance = pass.instance(instanceArn);
  if (!instance) return false;
  const task = primaryTask(
    pass,
    primary,
    td,
    instance,
    newTaskId(pass.ctx.random),
    targetGroupsOf(pass.input.service),
  );
  pass.starts.push(task);
  pass.state.upsertTask(task);
  return true;
}

/** Shared by every task of a service without load balancers (newTask copies what it keeps). */
const noTargetGroups: readonly string[] = Object.freeze([]);

/** The target groups a service's new tasks must be registered with before they count as RUNNING. */
function targetGroupsOf(service: Pick<Service, 'loadBalancers'>): readonly string[] {
  if (service.loadBalancers.length === 0) return noTargetGroups;
  return [...new Set(service.loadBalancers.flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : [])))];
}

/** A new Task of the PRIMARY deployment on `instance`. */
function primaryTask(
  pass: ServicePass,
  primary: Deployment,
  td: TaskDefinition,
  instance: Parameters<typeof newTask>[0]['instance'],
  taskId: string,
  activationHolds: readonly string[],
  taskArn?: string,
) {
  const service = pass.input.service;
  return newTask({
    cluster: service.cluster,
    taskId,
    ...(taskArn !== undefined ? { taskArn } : {}),
    group: `service:${service.serviceName}`,
    startedBy: primary.id,
    taskDefinitionArn: primary.taskDefinition,
    taskDefinition: td,
    instance,
    now: pass.ctx.now,
    ...(pass.ctx.arn ? { arn: pass.ctx.arn } : {}),
    activationHolds,
    ...(service.networkConfiguration ? { networkConfiguration: service.networkConfiguration } : {}),
  });
}
