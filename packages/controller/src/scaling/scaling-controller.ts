import type { Counters, Logger } from '@baton-ecs/loop';
import { type Clock, clockScheduler, systemClock } from '@baton-ecs/loop';
import type { Service, Task, TaskDefinition } from '@baton-ecs/model';
import { appendServiceEvents, newEventId } from '@baton-ecs/reconciler';
import type { ContainerEngine } from '@baton-ecs/runtime-docker';
import {
  activityEventMessage,
  activityFailed,
  activitySucceeded,
  createScaler,
  type MetricDatapoint,
  parseScalingConfiguration,
  type ScalerOptions,
  type ScalingActivity,
  type ScalingConfiguration,
  serviceCapacityState,
  serviceUtilizationDatapoints,
} from '@baton-ecs/scaler';
import type { RandomSource } from '@baton-ecs/scheduler';
import { type BatonKinds, type Store, serviceKey } from '@baton-ecs/store';
import { isLeft } from 'fp-ts/lib/Either.js';
import {
  BehaviorSubject,
  distinctUntilChanged,
  filter,
  map,
  merge,
  Observable,
  Subject,
  type Subscription,
  shareReplay,
} from 'rxjs';
import type { Informer } from '../informer.js';
import { containerStats } from './stats-collector.js';

export interface ScalingControllerOptions {
  readonly store: Store<BatonKinds>;
  readonly configurations: Informer<BatonKinds, 'ScalingConfiguration'>;
  readonly services: Informer<BatonKinds, 'Service'>;
  readonly tasks: Informer<BatonKinds, 'Task'>;
  readonly taskDefinition: (arn: string) => TaskDefinition | undefined;
  readonly engineOf: (containerInstanceArn: string) => ContainerEngine | undefined;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly counters: Counters;
  /** Baton's clock: evaluation ticks, alarm periods and activity times run on it. Default: the system clock. */
  readonly clock?: Clock;
  /** Evaluation interval and target-tracking alarm shapes (AAS's defaults otherwise). */
  readonly scaler?: ScalerOptions;
  /** How often utilisation datapoints are computed from the stats stream. Default 20 s. */
  readonly statsIntervalMs?: number;
}

/** `service/<cluster>/<name>` → the service's store key. */
export function serviceKeyOfResource(resourceId: string): string | undefined {
  const m = /^service\/([^/]+)\/([^/]+)$/.exec(resourceId);
  return m ? serviceKey(m[1]!, m[2]!) : undefined;
}

/**
 * Application Auto Scaling, live: one scaler per service with a scaling
 * configuration, fed the service's desired count from the store, ECS
 * utilisation computed from the engines' stats streams, and custom metrics;
 * each activity it decides is written to the service like any other writer,
 * with its event.
 */
export class ScalingController {
  private readonly scalers = new Map<
    string,
    { config: BehaviorSubject<ScalingConfiguration>; sub: Subscription }
  >();
  private readonly history = new Map<string, ScalingActivity[]>();
  private readonly customMetrics = new Subject<MetricDatapoint>();
  private subscription: Subscription | undefined;
  private readonly clock: Clock;

  constructor(private readonly o: ScalingControllerOptions) {
    this.clock = o.clock ?? systemClock;
  }

  start(): void {
    for (const e of this.o.configurations.values()) this.upsert(e.key, e.object.configuration);
    this.subscription = this.o.configurations.changes.subscribe((c) => {
      if (c.object) this.upsert(c.key, c.object.object.configuration);
      else this.remove(c.key);
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    for (const key of [...this.scalers.keys()]) this.remove(key);
    this.customMetrics.complete();
  }

  /** PutMetricData: custom metrics for target tracking or step scaling alarms. */
  putMetricData(datapoints: readonly MetricDatapoint[]): void {
    for (const d of datapoints) this.customMetrics.next(d);
  }

  /** DescribeScalingActivities: newest first, the last 50 per service. */
  activities(resourceId: string): readonly ScalingActivity[] {
    return this.history.get(resourceId) ?? [];
  }

  private upsert(resourceId: string, json: Readonly<Record<string, unknown>>): void {
    const parsed = parseScalingConfiguration(json);
    if (isLeft(parsed)) {
      this.o.logger({
        level: 'error',
        msg: 'invalid scaling configuration in the store; ignored',
        resourceId,
        error: parsed.left.message,
      });
      return;
    }
    const existing = this.scalers.get(resourceId);
    if (existing) {
      existing.config.next(parsed.right.value);
      return;
    }
    const key = serviceKeyOfResource(resourceId);
    if (!key) return;
    const config = new BehaviorSubject(parsed.right.value);
    const scheduler = clockScheduler(this.clock);
    const service$ = this.serviceStream(key);
    const tasks$ = this.tasksStream(key);
    const metrics = merge(
      serviceUtilizationDatapoints({
        samples: containerStats(tasks$, this.o.engineOf, (e) =>
          this.o.logger({ level: 'debug', msg: 'stats stream ended', resourceId, error: String(e) }),
        ),
        tasks: tasks$.pipe(
          map((ts) =>
            ts.flatMap((t) => {
              const td = this.o.taskDefinition(t.taskDefinitionArn);
              return td ? [{ taskArn: t.taskArn, taskDefinition: td }] : [];
            }),
          ),
        ),
        scheduler,
        ...(this.o.statsIntervalMs !== undefined ? { intervalMs: this.o.statsIntervalMs } : {}),
      }).pipe(
        map((d) => ({
          ...d,
          dimensions: { ClusterName: key.split('/')[0]!, ServiceName: key.split('/')[1]!, ...d.dimensions },
        })),
      ),
      this.customMetrics,
    );
    const sub = createScaler({
      configuration: config,
      service: service$,
      metrics,
      scheduler,
      ...(this.o.scaler ? { options: this.o.scaler } : {}),
    }).subscribe({
      next: (activity) => void this.apply(resourceId, key, activity),
      error: (err: unknown) =>
        this.o.logger({ level: 'error', msg: 'scaler failed', resourceId, error: String(err) }),
    });
    this.scalers.set(resourceId, { config, sub });
  }

  private remove(resourceId: string): void {
    const s = this.scalers.get(resourceId);
    if (!s) return;
    s.sub.unsubscribe();
    s.config.complete();
    this.scalers.delete(resourceId);
  }

  private serviceStream(key: string): Observable<ReturnType<typeof serviceCapacityState>> {
    const current = this.o.services.get(key);
    const subject = new BehaviorSubject<Service | undefined>(current?.object);
    const changes = this.o.services.changes.pipe(
      filter((c) => c.key === key),
      map((c) => c.object?.object),
    );
    return merge(subject, changes).pipe(
      filter((s): s is Service => s !== undefined && s.status === 'ACTIVE'),
      map((s) => serviceCapacityState(s)),
      distinctUntilChanged(
        (a, b) =>
          a.desiredCount === b.desiredCount &&
          a.runningCount === b.runningCount &&
          a.deploymentInProgress === b.deploymentInProgress,
      ),
    );
  }

  /** The service's RUNNING tasks, now and on every change to one of them. */
  private tasksStream(key: string): Observable<readonly Task[]> {
    const [cluster, name] = key.split('/');
    const group = `service:${name}`;
    const clusterSuffix = `:cluster/${cluster}`;
    const isRunning = (t: Task) =>
      t.group === group &&
      t.clusterArn.endsWith(clusterSuffix) &&
      t.lastStatus === 'RUNNING' &&
      t.desiredStatus === 'RUNNING';
    return new Observable<readonly Task[]>((subscriber) => {
      // One scan when the scaler starts; then only the service's own task changes are applied.
      const running = new Map<string, Task>();
      for (const e of this.o.tasks.values()) if (isRunning(e.object)) running.set(e.key, e.object);
      subscriber.next([...running.values()]);
      const sub = this.o.tasks.changes.subscribe((c) => {
        const task = c.object?.object;
        const was = running.has(c.key);
        if (task && isRunning(task)) running.set(c.key, task);
        else if (was) running.delete(c.key);
        else return;
        subscriber.next([...running.values()]);
      });
      return () => sub.unsubscribe();
    }).pipe(shareReplay({ bufferSize: 1, refCount: true }));
  }

  private async apply(resourceId: string, key: string, activity: ScalingActivity): Promise<void> {
    const now = this.clock.now();
    let done: ScalingActivity;
    try {
      if (activity.DesiredCount !== undefined) {
        const message = activityEventMessage(activitySucceeded(activity, now));
        await this.o.store.update('Service', key, (s) => {
          s.desiredCount = activity.DesiredCount;
          s.events = [
            ...appendServiceEvents(s.events, [message], now, () => newEventId(this.o.random)).events,
          ];
        });
      }
      if (activity.MinCapacity !== undefined || activity.MaxCapacity !== undefined) {
        await this.o.store.update('ScalingConfiguration', resourceId, (c) => {
          const target = { ...((c.configuration.ScalableTarget as Record<string, unknown>) ?? {}) };
          if (activity.MinCapacity !== undefined) target.MinCapacity = activity.MinCapacity;
          if (activity.MaxCapacity !== undefined) target.MaxCapacity = activity.MaxCapacity;
          c.configuration = { ...c.configuration, ScalableTarget: target };
        });
      }
      done = activitySucceeded(activity, now);
      this.o.counters.inc('baton_scaling_activities_total', { resourceId, result: 'success' });
      this.o.logger({
        level: 'info',
        msg: 'scaling activity',
        resourceId,
        event: activityEventMessage(done),
      });
    } catch (error) {
      done = activityFailed(activity, error instanceof Error ? error.message : String(error), now);
      this.o.counters.inc('baton_scaling_activities_total', { resourceId, result: 'failure' });
      this.o.logger({ level: 'warn', msg: 'scaling activity failed', resourceId, error: String(error) });
    }
    this.history.set(resourceId, [done, ...(this.history.get(resourceId) ?? [])].slice(0, 50));
  }
}
