import type { PlacementConstraint, PlacementStrategy } from '@baton-ecs/model';
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';
import type { ClusterState } from './cluster-state.js';
import type { PlacementExplanation } from './explanation.js';
import { type PlacementFilter, placementFilters } from './filters.js';
import type { InstanceRecord } from './instance-record.js';
import type { CompiledQuery } from './query/compile.js';
import type { RandomSource } from './random.js';
import { type Reservation, taskDefinitionReservation } from './reservation.js';
import type { SchedulerTaskDefinition } from './snapshot.js';
import { compileStrategies, type StrategyStep } from './strategy.js';

/**
 * N identical tasks to place: one task definition, plus the constraints and
 * strategies of the service (or RunTask call) that wants them.
 */
export interface PlacementRequest {
  readonly taskDefinition: SchedulerTaskDefinition;
  readonly count: number;
  /** The task group: `service:<name>` for a service, `family:<family>` by default for RunTask. */
  readonly group: string;
  /** Added to the task definition's own memberOf constraints. */
  readonly placementConstraints?: readonly Pick<PlacementConstraint, 'type' | 'expression'>[];
  /** Applied in order; empty or absent means spread over availability zones, then instances. */
  readonly placementStrategy?: readonly Pick<PlacementStrategy, 'type' | 'field'>[];
  /**
   * ARNs the placed tasks will have, by task index. Recording placements
   * under them lets a ClusterState kept across passes replace each placement
   * with the real task (upsertTask) instead of counting it twice.
   */
  readonly taskArns?: readonly string[];
}

/** What placement needs from the world besides the cluster: a seeded random source. */
export interface PlacementContext {
  readonly random: RandomSource;
}

/** Task `taskIndex` of the request goes to this instance. */
export interface TaskPlacement {
  readonly taskIndex: number;
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string;
}

/**
 * At least one task was placed (or none was asked for). When fewer than
 * requested fit, `unplacedCount` says how many did not and `explanation` why
 * (as of the first task that found no instance).
 */
export interface PlacementOutcome {
  readonly requestedCount: number;
  readonly placements: readonly TaskPlacement[];
  readonly unplacedCount: number;
  readonly explanation: PlacementExplanation | undefined;
}

export type PlacementFailure =
  /** Not one task could be placed. */
  | {
      readonly type: 'NoInstanceMetRequirements';
      readonly requestedCount: number;
      readonly explanation: PlacementExplanation;
      readonly message: string;
    }
  /** The request itself is wrong (a memberOf expression that does not parse, a negative count…). */
  | { readonly type: 'InvalidPlacementRequest'; readonly message: string };

/** A request resolved against one cluster state, ready to run. */
export interface CompiledRequest {
  readonly count: number;
  readonly group: string;
  readonly demand: Reservation;
  /** The whole pipeline, in ECS order: for explanations and the linear scan. */
  readonly filters: readonly PlacementFilter[];
  /** Fact-only memberOf queries: decided once per state, through its caches. */
  readonly staticQueries: readonly CompiledQuery[];
  /** The filters a placement can change the verdict of: re-checked on the instance that took a task. */
  readonly dynamicFilters: readonly PlacementFilter[];
  /** dynamicFilters without cpu and memory (checked inline) and without a ports filter that has no port to check. */
  readonly otherDynamicFilters: readonly PlacementFilter[];
  readonly chain: readonly StrategyStep[];
}

export const maxPlacementConstraints = 10;
export const maxPlacementStrategies = 5;

export function invalidRequest(message: string): PlacementFailure {
  return { type: 'InvalidPlacementRequest', message };
}

export function compileRequest(
  request: PlacementRequest,
  state: ClusterState,
  options: { readonly withStrategies: boolean } = { withStrategies: true },
): Either<PlacementFailure, CompiledRequest> {
  if (!Number.isInteger(request.count) || request.count < 0)
    return left(invalidRequest(`count must be a whole number of tasks, at least 0 (got ${request.count})`));
  if (typeof request.group !== 'string' || request.group === '')
    return left(invalidRequest('group must name the task group (service:<name> or family:<family>)'));
  let distinctInstance = false;
  const queries: CompiledQuery[] = [];
  const constraints = [
    ...request.taskDefinition.placementConstraints,
    ...(request.placementConstraints ?? []),
  ];
  // ECS counts the task definition's constraints with the service's or RunTask's own: at most 10 in
  // all, and at most 5 strategies (task-placement-constraints.html, task-placement-strategies.html).
  if (constraints.length > maxPlacementConstraints)
    return left(
      invalidRequest(
        `at most ${maxPlacementConstraints} placement constraints in total, counting the task definition's (${request.taskDefinition.placementConstraints.length}) and the request's (${request.placementConstraints?.length ?? 0})`,
      ),
    );
  if ((request.placementStrategy?.length ?? 0) > maxPlacementStrategies)
    return left(
      invalidRequest(
        `at most ${maxPlacementStrategies} placement strategies (got ${request.placementStrategy?.length})`,
      ),
    );
  for (const c of constraints) {
    if (c.type === 'distinctInstance') distinctInstance = true;
    else if (c.type === 'memberOf') {
      if (c.expression === undefined || c.expression.trim() === '')
        return left(invalidRequest('memberOf needs an expression'));
      const compiled = state.compileQuery(c.expression);
      if (isLeft(compiled)) return left(invalidRequest(compiled.left.message));
      if (!queries.some((q) => q.canonical === compiled.right.canonical)) queries.push(compiled.right);
    } else return left(invalidRequest(`unknown placement constraint type "${String(c.type)}"`));
  }
  const chain = options.withStrategies ? compileStrategies(request.placementStrategy ?? []) : right([]);
  if (isLeft(chain)) return left(invalidRequest(chain.left));
  const demand = taskDefinitionReservation(request.taskDefinition);
  const filters = placementFilters(state, demand, request.group, distinctInstance, queries);
  const dynamicFilters = filters.filter((f) => f.dependsOnTasks);
  const hasPorts = demand.tcpPorts.length + demand.udpPorts.length > 0;
  return right({
    count: request.count,
    group: request.group,
    demand,
    filters,
    staticQueries: queries.filter((q) => !q.dependsOnTasks),
    dynamicFilters,
    otherDynamicFilters: dynamicFilters.filter(
      (f) => f.name !== 'cpu' && f.name !== 'memory' && (f.name !== 'ports' || hasPorts),
    ),
    chain: chain.right,
  });
}

/** Whether every filter in `filters` accepts the instance. */
export function passesAll(filters: readonly PlacementFilter[], record: InstanceRecord): boolean {
  for (let f = 0; f < filters.length; f++) if (!filters[f]!.check(record)) return false;
  return true;
}

/** Whether the instance passes every filter a placement can change (cpu and memory inline, for speed). */
export function fitsAnother(req: CompiledRequest, record: InstanceRecord): boolean {
  return (
    record.remainingCpu >= req.demand.cpu &&
    record.remainingMemory >= req.demand.memory &&
    passesAll(req.otherDynamicFilters, record)
  );
}
