import { BehaviorSubject, map, mergeMap, NEVER, type Observable, type SchedulerLike, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  alignedTicks,
  createScaler,
  type MetricDatapoint,
  type ScalerOptions,
  type ScalingActivity,
  type ScalingConfiguration,
  ScalingEngine,
} from '../src/index.js';

export interface Run {
  /** [minute (fractional), desired count] per activity that set one. */
  readonly changes: [number, number][];
  readonly activities: ScalingActivity[];
  readonly engine: ScalingEngine;
}

export interface Scenario {
  readonly configuration: ScalingConfiguration | Observable<ScalingConfiguration>;
  readonly desired: number;
  /** Samples every `sampleEveryMs` (from 5 s, so they never coincide with period edges). */
  readonly metrics?: (now: number, desired: number) => MetricDatapoint[];
  readonly sampleEveryMs?: number;
  readonly runForMs: number;
  readonly options?: ScalerOptions;
  readonly epoch?: number;
  /** Extra service states to push at given times: [ms, state]. */
  readonly serviceUpdates?: [number, { desiredCount: number; deploymentInProgress?: boolean }][];
  /** The running count for a desired count (ECS placing what it can); unknown by default. */
  readonly running?: (desired: number) => number;
  readonly scheduler?: (ts: TestScheduler) => SchedulerLike;
}

/**
 * Runs a scaler in virtual time against a stand-in for the store: each
 * activity's desired count is written back to the service stream, as the
 * controller's wiring does.
 */
export function run(s: Scenario): Run {
  const ts = new TestScheduler((a, b) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('mismatch');
  });
  const activities: ScalingActivity[] = [];
  const engine = new ScalingEngine(s.options);
  ts.run(() => {
    const scheduler = s.scheduler?.(ts) ?? ts;
    type State = { desiredCount: number; runningCount?: number; deploymentInProgress?: boolean };
    const withRunning = (state: State): State =>
      s.running ? { ...state, runningCount: s.running(state.desiredCount) } : state;
    const service = new BehaviorSubject<State>(withRunning({ desiredCount: s.desired }));
    const metrics = s.metrics
      ? alignedTicks(s.sampleEveryMs ?? 10_000, scheduler, 5_000).pipe(
          map(() => s.metrics!(scheduler.now(), service.value.desiredCount)),
        )
      : NEVER;
    const flat: Observable<MetricDatapoint> = metrics.pipe(mergeMap((list) => list));
    const scaler = createScaler({
      configuration: s.configuration,
      service,
      metrics: flat,
      scheduler,
      options: { ...s.options, engine },
    }).pipe(
      tap((a) => {
        activities.push(a);
        if (a.DesiredCount !== undefined)
          service.next(withRunning({ ...service.value, desiredCount: a.DesiredCount }));
      }),
    );
    const sub = scaler.subscribe();
    for (const [t, state] of s.serviceUpdates ?? []) ts.schedule(() => service.next(withRunning(state)), t);
    ts.schedule(() => sub.unsubscribe(), s.runForMs);
  });
  const epoch = s.epoch ?? 0;
  return {
    activities,
    engine,
    changes: activities
      .filter((a) => a.DesiredCount !== undefined)
      .map((a) => [(a.StartTime - epoch) / 60_000, a.DesiredCount!]),
  };
}
