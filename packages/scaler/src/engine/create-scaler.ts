import {
  concat,
  defer,
  from,
  isObservable,
  merge,
  mergeMap,
  type Observable,
  of,
  type SchedulerLike,
  switchMap,
} from 'rxjs';
import type { MetricDatapoint } from '../metrics/datapoint.js';
import { defaultTargetTrackingOptions } from '../policies/target-tracking.js';
import type { ScalingConfiguration } from '../resources/parse.js';
import type { ScalingActivity } from './activity.js';
import {
  type ScalerEvent,
  ScalingEngine,
  type ScalingEngineOptions,
  type ServiceCapacityState,
} from './engine.js';
import { fireTimes } from './fire-times.js';
import { alignedTicks } from './ticks.js';

export interface ScalerOptions extends ScalingEngineOptions {
  /** How often alarms and policies are evaluated; by default the target tracking period (60 s). */
  readonly evaluationIntervalMs?: number;
  /** Drive this engine (to inspect its snapshot); subscribe once when you pass one. */
  readonly engine?: ScalingEngine;
}

export interface ScalerInputs {
  /** The service's target, policies, alarms and scheduled actions; a stream when they can change. */
  readonly configuration: ScalingConfiguration | Observable<ScalingConfiguration>;
  /** The service's desired count as stored (a number, or with its deployment state); the scaler's own writes come back here. */
  readonly service: Observable<ServiceCapacityState | number>;
  /** The service's metric samples: ECS utilisation (see serviceUtilizationDatapoints), ALB request counts, custom metrics. */
  readonly metrics: Observable<MetricDatapoint>;
  /** All timing: evaluations, scheduled actions, and "now" for samples without a timestamp. */
  readonly scheduler: SchedulerLike;
  readonly options?: ScalerOptions;
}

/**
 * Scales one service: evaluates its alarms every evaluation interval (aligned
 * to multiples of the interval since the epoch), runs its scheduled actions
 * at their times, and emits a ScalingActivity for every change it decides.
 * The caller applies each activity (the desired count to the service,
 * min/max to the scalable target) and records its outcome and event.
 */
export function createScaler(inputs: ScalerInputs): Observable<ScalingActivity> {
  const { scheduler, options = {} } = inputs;
  return defer(() => {
    const engine = options.engine ?? new ScalingEngine(options);
    const handle = (event: ScalerEvent) => from(engine.handle(event));
    const now = () => scheduler.now();
    const configurations = isObservable(inputs.configuration)
      ? inputs.configuration
      : of(inputs.configuration);
    const configured = configurations.pipe(
      switchMap((configuration) =>
        concat(
          handle({ type: 'configuration', at: now(), configuration }),
          defer(() =>
            merge(
              ...engine
                .schedules()
                .map(({ name, schedule }) =>
                  fireTimes(schedule, scheduler).pipe(
                    mergeMap((at) => handle({ type: 'scheduled-action', at, scheduledActionName: name })),
                  ),
                ),
            ),
          ),
        ),
      ),
    );
    const service = inputs.service.pipe(
      mergeMap((s) =>
        handle({ type: 'service', at: now(), service: typeof s === 'number' ? { desiredCount: s } : s }),
      ),
    );
    const metrics = inputs.metrics.pipe(
      mergeMap((datapoint) => handle({ type: 'datapoint', at: now(), datapoint })),
    );
    const interval =
      options.evaluationIntervalMs ??
      (options.targetTracking?.periodSeconds ?? defaultTargetTrackingOptions.periodSeconds) * 1000;
    const evaluations = alignedTicks(interval, scheduler).pipe(
      mergeMap((at) => handle({ type: 'evaluate', at })),
    );
    return merge(configured, service, metrics, evaluations);
  });
}
