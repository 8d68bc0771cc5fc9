import { clusterNameOf, type Service, type Task, type TaskDefinition } from '@baton-ecs/model';
import type { ContainerEngine } from '@baton-ecs/runtime-docker';
import {
  type ContainerStatsSample,
  type DockerStats,
  serviceUtilization,
  type TaskUsage,
  taskUsageFromStats,
} from '@baton-ecs/scaler';
import {
  asyncScheduler,
  auditTime,
  interval,
  map,
  type Observable,
  type SchedulerLike,
  Subject,
  type Subscription,
  startWith,
} from 'rxjs';
import { containerStats } from '../scaling/stats-collector.js';
import type { InstanceUsage } from './snapshot.js';
import type { MetricPoint, MetricsHistory } from './wire.js';

export interface UsageSamplerInputs {
  /** Every task, now. */
  readonly tasks: () => Iterable<Task>;
  /** A hint that tasks changed (the sampler then re-reads `tasks`). */
  readonly taskChanges: Observable<unknown>;
  readonly services: () => Iterable<Service>;
  readonly taskDefinition: (arn: string) => TaskDefinition | undefined;
  readonly engineOf: (containerInstanceArn: string) => ContainerEngine | undefined;
  /** How often a point is taken. Default 5 s. */
  readonly intervalMs?: number;
  /** Points kept per service. Default 360 (half an hour at 5 s). */
  readonly points?: number;
  readonly scheduler?: SchedulerLike;
}

/** One sampling: each service's new point, by service key. */
export type MetricsTick = Readonly<Record<string, MetricPoint>>;

/**
 * What the console charts: every interval, each service's CPU and memory use (ECS's service
 * utilisation, from the engines' stats streams that the scaler reads too) beside its desired and
 * running counts, and each instance's measured use. Keeps a bounded history per service.
 */
export class UsageSampler {
  private readonly latest = new Map<string, Map<string, DockerStats>>();
  private readonly history = new Map<string, MetricPoint[]>();
  private instanceUsage = new Map<string, InstanceUsage>();
  private readonly ticks = new Subject<MetricsTick>();
  private readonly subscriptions: Subscription[] = [];
  readonly ticks$: Observable<MetricsTick> = this.ticks.asObservable();

  constructor(private readonly o: UsageSamplerInputs) {}

  start(): void {
    const scheduler = this.o.scheduler ?? asyncScheduler;
    const running$ = this.o.taskChanges.pipe(
      auditTime(500, scheduler),
      startWith(undefined),
      map(() => [...this.o.tasks()].filter((t) => t.lastStatus === 'RUNNING')),
    );
    this.subscriptions.push(
      containerStats(running$, this.o.engineOf).subscribe((s) => this.record(s)),
      interval(this.o.intervalMs ?? 5_000, scheduler).subscribe(() => this.sample(scheduler.now())),
    );
  }

  stop(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions.length = 0;
    this.ticks.complete();
  }

  /** Each instance's measured use at the last sampling. */
  usage(): ReadonlyMap<string, InstanceUsage> {
    return this.instanceUsage;
  }

  /** Every service's points, oldest first. */
  points(): MetricsHistory {
    return Object.fromEntries(this.history);
  }

  private record(s: ContainerStatsSample): void {
    let containers = this.latest.get(s.taskArn);
    if (!containers) {
      containers = new Map();
      this.latest.set(s.taskArn, containers);
    }
    containers.set(s.containerName, s.stats);
  }

  private sample(now: number): void {
    const running = [...this.o.tasks()].filter((t) => t.lastStatus === 'RUNNING');
    const live = new Set(running.map((t) => t.taskArn));
    for (const arn of this.latest.keys()) if (!live.has(arn)) this.latest.delete(arn);
    const byService = new Map<string, TaskUsage[]>();
    const byInstance = new Map<string, { cpuUnits: number; memoryMiB: number }>();
    for (const t of running) {
      const td = this.o.taskDefinition(t.taskDefinitionArn);
      const stats = this.latest.get(t.taskArn);
      if (!td || !stats) continue;
      const usage = taskUsageFromStats(td, [...stats.values()]);
      if (t.group?.startsWith('service:')) {
        const key = `${clusterNameOf(t.clusterArn)}/${t.group.slice('service:'.length)}`;
        byService.set(key, [...(byService.get(key) ?? []), usage]);
      }
      if (t.containerInstanceArn) {
        const sum = byInstance.get(t.containerInstanceArn) ?? { cpuUnits: 0, memoryMiB: 0 };
        sum.cpuUnits += usage.cpuUnits ?? 0;
        sum.memoryMiB += usage.memoryMiB ?? 0;
        byInstance.set(t.containerInstanceArn, sum);
      }
    }
    this.instanceUsage = new Map(
      [...byInstance].map(([k, v]) => [
        k,
        { cpuUnits: Math.round(v.cpuUnits), memoryMiB: Math.round(v.memoryMiB) },
      ]),
    );
    const tick: Record<string, MetricPoint> = {};
    const max = this.o.points ?? 360;
    for (const s of this.o.services()) {
      if (s.status === 'INACTIVE') continue;
      const key = `${s.cluster}/${s.serviceName}`;
      const u = serviceUtilization(byService.get(key) ?? []);
      const point: MetricPoint = {
        t: now,
        cpu: u.cpuUtilization === undefined ? null : round1(u.cpuUtilization),
        memory: u.memoryUtilization === undefined ? null : round1(u.memoryUtilization),
        desired: s.desiredCount ?? 0,
        running: s.runningCount,
      };
      const points = this.history.get(key) ?? [];
      points.push(point);
      if (points.length > max) points.splice(0, points.length - max);
      this.history.set(key, points);
      tick[key] = point;
    }
    this.ticks.next(tick);
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
