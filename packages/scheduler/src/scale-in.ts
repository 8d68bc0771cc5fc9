import { type PlacementStrategy, taskStatusRank } from '@baton-ecs/model';
import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';
import { ClusterState } from './cluster-state.js';
import { randomInt } from './random.js';
import { invalidRequest, type PlacementContext, type PlacementFailure } from './request.js';
import type { ClusterSnapshot, SchedulerTask } from './snapshot.js';
import { compileStrategies, type StrategyStep } from './strategy.js';

/** Which tasks of a group to stop when it scales in. */
export interface ScaleInRequest<T extends SchedulerTask = SchedulerTask> {
  readonly group: string;
  readonly count: number;
  /** The group's placement strategies; they are applied reversed. Empty means ECS's default. */
  readonly placementStrategy?: readonly Pick<PlacementStrategy, 'type' | 'field'>[];
  /** The tasks that may be stopped (say, an old deployment's); all of the group's live tasks by default. */
  readonly candidates?: readonly T[];
}

const healthRank = { UNHEALTHY: 0, UNKNOWN: 1, HEALTHY: 2 } as const;

/**
 * Chooses `count` tasks to stop, one at a time, by the group's strategies
 * reversed — ECS's scale-in: spread stops a task where the group has the
 * most (the zone with most of its tasks, then the instance with most),
 * binpack where the most CPU or memory remains, random at random. Counts are
 * updated after each choice. Ties go to tasks not yet placed, then earlier in
 * their lifecycle, then less healthy, then newer, then by ARN. Returns tasks
 * in the order chosen; fewer than `count` when fewer are candidates.
 */
export function selectTasksToStop<T extends SchedulerTask>(
  request: ScaleInRequest<T> & { readonly candidates: readonly T[] },
  cluster: ClusterSnapshot | ClusterState,
  ctx: PlacementContext,
): Either<PlacementFailure, T[]>;
export function selectTasksToStop(
  request: ScaleInRequest,
  cluster: ClusterSnapshot | ClusterState,
  ctx: PlacementContext,
): Either<PlacementFailure, SchedulerTask[]>;
export function selectTasksToStop(
  request: ScaleInRequest,
  cluster: ClusterSnapshot | ClusterState,
  ctx: PlacementContext,
): Either<PlacementFailure, SchedulerTask[]> {
  if (!Number.isInteger(request.count) || request.count < 0)
    return left(invalidRequest(`count must be a whole number of tasks, at least 0 (got ${request.count})`));
  const chain = compileStrategies(request.placementStrategy ?? []);
  if (isLeft(chain)) return left(invalidRequest(chain.left));
  const state = cluster instanceof ClusterState ? cluster : ClusterState.fromSnapshot(cluster);
  const pool = [...(request.candidates ?? state.tasksOfGroup(request.group))].filter(
    (t) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED',
  );
  const scorer = new ReverseScorer(state, chain.right, request.group);
  const chosen: SchedulerTask[] = [];
  while (chosen.length < request.count && pool.length > 0) {
    const pick = scorer.pick(pool, ctx);
    const [task] = pool.splice(pick, 1);
    chosen.push(task!);
    scorer.onStopped(task!);
  }
  return right(chosen);
}

/** Reversed strategy keys over tasks; smaller is stopped first. */
class ReverseScorer {
  private readonly steps: readonly StrategyStep[];
  private readonly random: boolean;
  private readonly groupCount = new Map<number, number>();
  private readonly valueCounts: (Map<number, number> | undefined)[] = [];
  private readonly valueIdOf: (Int32Array | undefined)[] = [];
  private readonly freedCpu = new Map<number, number>();
  private readonly freedMemory = new Map<number, number>();

  constructor(
    private readonly state: ClusterState,
    chain: readonly StrategyStep[],
    group: string,
  ) {
    const randomAt = chain.findIndex((s) => s.kind === 'random');
    this.steps = randomAt < 0 ? chain : chain.slice(0, randomAt);
    this.random = randomAt >= 0;
    const distribution = state.groupDistribution(group);
    for (const [index, n] of distribution) this.groupCount.set(index, n);
    this.steps.forEach((step, s) => {
      if (step.kind !== 'spreadAttribute') return;
      const { valueIdOf } = state.spreadValues(step.attribute);
      const counts = new Map<number, number>();
      for (const [index, n] of distribution)
        counts.set(valueIdOf[index]!, (counts.get(valueIdOf[index]!) ?? 0) + n);
      this.valueIdOf[s] = valueIdOf;
      this.valueCounts[s] = counts;
    });
  }

  pick(pool: readonly SchedulerTask[], ctx: PlacementContext): number {
    let best = 0;
    const tied = [0];
    for (let p = 1; p < pool.length; p++) {
      const c = this.compareSteps(pool[p]!, pool[best]!);
      if (c < 0 || (c === 0 && !this.random && compareTieBreaks(pool[p]!, pool[best]!) < 0)) {
        best = p;
        tied.length = 0;
        tied.push(p);
      } else if (c === 0) tied.push(p);
    }
    return this.random ? tied[randomInt(ctx.random, tied.length)]! : best;
  }

  onStopped(task: SchedulerTask): void {
    const index = this.instanceOf(task);
    if (index === undefined) return;
    this.groupCount.set(index, (this.groupCount.get(index) ?? 0) - 1);
    this.steps.forEach((_, s) => {
      const valueIdOf = this.valueIdOf[s];
      const counts = this.valueCounts[s];
      if (valueIdOf !== undefined && counts !== undefined) {
        const v = valueIdOf[index]!;
        counts.set(v, (counts.get(v) ?? 0) - 1);
      }
    });
    const reservation = this.state.taskReservation(task.taskArn);
    if (reservation !== undefined) {
      this.freedCpu.set(index, (this.freedCpu.get(index) ?? 0) + reservation.cpu);
      this.freedMemory.set(index, (this.freedMemory.get(index) ?? 0) + reservation.memory);
    }
  }

  private instanceOf(task: SchedulerTask): number | undefined {
    return task.containerInstanceArn === undefined
      ? undefined
      : this.state.indexOf(task.containerInstanceArn);
  }

  private compareSteps(a: SchedulerTask, b: SchedulerTask): number {
    const x = this.instanceOf(a);
    const y = this.instanceOf(b);
    // A task on no known instance holds nothing: stop it first.
    if (x === undefined || y === undefined) return (x === undefined ? 0 : 1) - (y === undefined ? 0 : 1);
    for (let s = 0; s < this.steps.length; s++) {
      const d = this.key(s, x) - this.key(s, y);
      if (d !== 0) return d;
    }
    return 0;
  }

  /** The reversed key: most tasks (spread) or most remaining (binpack) first. */
  private key(s: number, index: number): number {
    const step = this.steps[s]!;
    const record = this.state.records[index]!;
    switch (step.kind) {
      case 'spreadAttribute':
        return -(this.valueCounts[s]!.get(this.valueIdOf[s]![index]!) ?? 0);
      case 'spreadInstance':
        return -(this.groupCount.get(index) ?? 0);
      case 'binpack':
        return step.resource === 'cpu'
          ? -(record.remainingCpu + (this.freedCpu.get(index) ?? 0))
          : -(record.remainingMemory + (this.freedMemory.get(index) ?? 0));
      case 'random':
        return 0;
    }
  }
}

function compareTieBreaks(a: SchedulerTask, b: SchedulerTask): number {
  return (
    taskStatusRank(a.lastStatus) - taskStatusRank(b.lastStatus) ||
    healthRank[a.healthStatus ?? 'UNKNOWN'] - healthRank[b.healthStatus ?? 'UNKNOWN'] ||
    (b.createdAt ?? 0) - (a.createdAt ?? 0) ||
    (a.taskArn < b.taskArn ? -1 : a.taskArn > b.taskArn ? 1 : 0)
  );
}
