import { filter, map, type Observable, type SchedulerLike, scan, withLatestFrom } from 'rxjs';
import { alignedTicks } from '../engine/ticks.js';
import type { CapacityProvider } from '../resources/capacity-provider.js';
import { decideInstanceScaling, type InstanceScalingDecision } from './decide.js';
import { type CapacitySnapshot, estimateCapacity } from './estimate.js';

export interface CapacityScalerInputs {
  /** The provider's instances, tasks and pending tasks, re-emitted when they change. */
  readonly snapshots: Observable<CapacitySnapshot>;
  readonly provider: CapacityProvider;
  readonly scheduler: SchedulerLike;
  /** Evaluation interval, 60 s by default (ECS publishes the metric every minute). */
  readonly intervalMs?: number;
  /** Consecutive evaluations that must want fewer instances before a scale-in; 15 by default. */
  readonly scaleInEvaluations?: number;
}

interface CapacityLoop {
  readonly lowStreak: number;
  readonly lastLaunchAt: number | undefined;
  readonly decision: InstanceScalingDecision | undefined;
}

/**
 * Managed scaling over time, as ECS runs it: evaluate every interval;
 * scale out as soon as M exceeds the target (one datapoint), but not again
 * within the instance warm-up period of the last launch (the snapshot's
 * `launching` covers instances still on their way); scale in only after
 * `scaleInEvaluations` consecutive evaluations all wanted fewer instances.
 * Emits the decisions that act (launch / terminate).
 */
export function createCapacityScaler(inputs: CapacityScalerInputs): Observable<InstanceScalingDecision> {
  const { scheduler } = inputs;
  const interval = inputs.intervalMs ?? 60_000;
  const lowNeeded = inputs.scaleInEvaluations ?? 15;
  const group = inputs.provider.autoScalingGroupProvider;
  const warmupMs = group.managedScaling.instanceWarmupPeriod * 1000;
  return alignedTicks(interval, scheduler).pipe(
    withLatestFrom(inputs.snapshots),
    scan<[number, CapacitySnapshot], CapacityLoop>(
      (loop, [, snapshot]) => {
        const now = scheduler.now();
        const decision = decideInstanceScaling(estimateCapacity(snapshot), group);
        const action = decision.action;
        if (action.type === 'launch') {
          if (loop.lastLaunchAt !== undefined && now < loop.lastLaunchAt + warmupMs)
            return { lowStreak: 0, lastLaunchAt: loop.lastLaunchAt, decision: undefined };
          return { lowStreak: 0, lastLaunchAt: now, decision };
        }
        if (action.type === 'terminate') {
          const lowStreak = loop.lowStreak + 1;
          return lowStreak >= lowNeeded
            ? { lowStreak: 0, lastLaunchAt: loop.lastLaunchAt, decision }
            : { lowStreak, lastLaunchAt: loop.lastLaunchAt, decision: undefined };
        }
        return { lowStreak: 0, lastLaunchAt: loop.lastLaunchAt, decision: undefined };
      },
      { lowStreak: 0, lastLaunchAt: undefined, decision: undefined },
    ),
    map((loop) => loop.decision),
    filter((d): d is InstanceScalingDecision => d !== undefined),
  );
}
