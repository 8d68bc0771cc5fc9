import { HealthMonitor, healthCheckSpec, type TargetHealthState } from '@baton-ecs/health';
import type { BalancerTarget } from '@baton-ecs/load-balancer';
import type { Clock, Counters, Logger } from '@baton-ecs/loop';
import { ControllerLoop } from '@baton-ecs/loop';
import {
  clusterNameOf,
  type LoadBalancer,
  type Service,
  type TargetGroup,
  type Task,
  targetGroupSettings,
} from '@baton-ecs/model';
import type { TargetHealth } from '@baton-ecs/reconciler';
import { type BatonKinds, type Op, type Store, serviceKey } from '@baton-ecs/store';
import {
  concat,
  defer,
  distinctUntilChanged,
  filter,
  map,
  type Observable,
  of,
  type SchedulerLike,
} from 'rxjs';
import type { Informer } from '../informer.js';
import { planTargetGroup, type TargetGroupMember, targetKey } from './plan.js';

/** Something in front of a target group that can tell when a draining target is idle (a listener). */
export interface TargetConsumer {
  /** true: no new requests go to the target and none is in flight; undefined: cannot tell. */
  drained(targetKey: string): boolean | undefined;
}

export interface TargetGroupControllerOptions {
  readonly store: Store<BatonKinds>;
  readonly targetGroups: Informer<BatonKinds, 'TargetGroup'>;
  readonly tasks: Informer<BatonKinds, 'Task'>;
  readonly services: Informer<BatonKinds, 'Service'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly counters: Counters;
  readonly resyncMs?: number;
  /** The health monitor's scheduler (default RxJS's async one) and checks in flight at once (default 32). */
  readonly healthScheduler?: SchedulerLike;
  readonly healthConcurrency?: number;
  readonly random?: () => number;
}

export type TargetHealthByTask = ReadonlyMap<
  string,
  {
    readonly health: TargetHealth;
    readonly targetGroup: string;
    readonly port?: number;
    readonly description?: string;
  }
>;

const rank: Record<TargetHealth, number> = { unhealthy: 4, draining: 3, unused: 2, initial: 1, healthy: 0 };

/**
 * ELB's side of ECS, live: registers service tasks with their target groups, probes the targets,
 * drains them when their tasks stop, and releases the tasks' holds. Keyed by target group ARN;
 * every change to a group, a task or a service enqueues the groups it may affect.
 */
export class TargetGroupController {
  readonly loop: ControllerLoop<string>;
  readonly monitor: HealthMonitor;
  private readonly consumers = new Map<string, Set<TargetConsumer>>();
  /** Target group ARN → tasks that hold it. */
  private readonly holders = new Map<string, Set<string>>();
  /** serviceKey → task ARNs. */
  private readonly tasksByService = new Map<string, Set<string>>();
  private readonly subscriptions: { unsubscribe(): void }[] = [];

  constructor(private readonly o: TargetGroupControllerOptions) {
    this.monitor = new HealthMonitor({
      ...(o.healthScheduler ? { scheduler: o.healthScheduler } : {}),
      ...(o.healthConcurrency !== undefined ? { concurrency: o.healthConcurrency } : {}),
    });
    this.loop = new ControllerLoop<string>({
      name: 'target-group',
      reconcile: (key) => this.reconcile(key),
      keys: () => new Set([...[...o.targetGroups.values()].map((e) => e.key), ...this.holders.keys()]),
      workers: 2,
      ...(o.resyncMs !== undefined ? { resyncMs: o.resyncMs } : {}),
      clock: o.clock,
      ...(o.random ? { random: o.random } : {}),
      logger: o.logger,
      counters: o.counters,
    });
    this.subscriptions.push(
      o.targetGroups.changes.subscribe((c) => this.loop.enqueue(c.key)),
      o.services.changes.subscribe((c) => {
        for (const s of [c.object?.object, c.previous?.object])
          for (const arn of groupsOf(s)) this.loop.enqueue(arn);
      }),
      o.tasks.changes.subscribe((c) => {
        const task = (c.object ?? c.previous)!.object;
        this.index(c.key, c.previous?.object, c.object?.object);
        for (const arn of new Set([
          ...(c.previous?.object.deactivationHolds ?? []),
          ...(c.previous?.object.activationHolds ?? []),
          ...(c.object?.object.deactivationHolds ?? []),
          ...(c.object?.object.activationHolds ?? []),
          ...groupsOf(this.serviceOf(task)),
        ]))
          this.loop.enqueue(arn);
      }),
      this.monitor.changes.subscribe((c) => this.loop.enqueue(c.key.slice(0, c.key.indexOf('#')))),
    );
  }

  start(): void {
    for (const e of this.o.tasks.values()) this.index(e.key, undefined, e.object);
    this.loop.start();
  }

  async stop(): Promise<void> {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    await this.loop.stop();
    this.monitor.stop();
  }

  /** Adds a balancer whose idleness can end draining early; returns its removal. */
  addConsumer(targetGroupArn: string, consumer: TargetConsumer): () => void {
    let set = this.consumers.get(targetGroupArn);
    if (!set) {
      set = new Set();
      this.consumers.set(targetGroupArn, set);
    }
    set.add(consumer);
    return () => {
      set.delete(consumer);
      this.loop.enqueue(targetGroupArn);
    };
  }

  private healthByTask: { readonly version: number; readonly map: TargetHealthByTask } | undefined;

  /** For the service controller: each task's target health, the worst over its groups. */
  targetHealth(): TargetHealthByTask {
    // Every service reconcile asks; rebuilding over every target each time made a full pass grow
    // with services × targets. The map only changes when the target group cache does.
    const version = this.o.targetGroups.version;
    if (version !== undefined && this.healthByTask?.version === version) return this.healthByTask.map;
    const map = this.buildTargetHealth();
    if (version !== undefined) this.healthByTask = { version, map };
    return map;
  }

  private buildTargetHealth(): TargetHealthByTask {
    const out = new Map<
      string,
      { health: TargetHealth; targetGroup: string; port?: number; description?: string }
    >();
    for (const e of this.o.targetGroups.values()) {
      for (const t of e.object.Targets) {
        if (!t.TaskArn) continue;
        const health: TargetHealth = t.State === 'unavailable' ? 'unhealthy' : t.State;
        const prior = out.get(t.TaskArn);
        if (!prior || rank[health] > rank[prior.health])
          out.set(t.TaskArn, {
            health,
            targetGroup: e.key,
            port: t.Port,
            ...(t.Description ? { description: t.Description } : {}),
          });
      }
    }
    return out;
  }

  /** A target group's targets as balancers see them, now and on every change. */
  targets$(targetGroupArn: string): Observable<readonly BalancerTarget[]> {
    const view = (tg: TargetGroup | undefined): readonly BalancerTarget[] =>
      (tg?.Targets ?? []).map((t) => ({ key: targetKey(t), host: t.Id, port: t.Port, state: t.State }));
    return concat(
      defer(() => of(view(this.o.targetGroups.get(targetGroupArn)?.object))),
      this.o.targetGroups.changes.pipe(
        filter((c) => c.key === targetGroupArn),
        map((c) => view(c.object?.object)),
      ),
    ).pipe(distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)));
  }

  private serviceOf(task: Task): Service | undefined {
    if (!task.group?.startsWith('service:')) return undefined;
    return this.o.services.get(serviceKey(clusterNameOf(task.clusterArn), task.group.slice(8)))?.object;
  }

  private index(taskArn: string, previous: Task | undefined, current: Task | undefined): void {
    for (const arn of [...(previous?.deactivationHolds ?? []), ...(previous?.activationHolds ?? [])])
      this.holders.get(arn)?.delete(taskArn);
    for (const arn of [...(current?.deactivationHolds ?? []), ...(current?.activationHolds ?? [])]) {
      let set = this.holders.get(arn);
      if (!set) {
        set = new Set();
        this.holders.set(arn, set);
      }
      set.add(taskArn);
    }
    const task = current ?? previous;
    if (task?.group?.startsWith('service:')) {
      const key = serviceKey(clusterNameOf(task.clusterArn), task.group.slice(8));
      let set = this.tasksByService.get(key);
      if (!set) {
        set = new Set();
        this.tasksByService.set(key, set);
      }
      if (current) set.add(taskArn);
      else set.delete(taskArn);
    }
  }

  private members(arn: string): TargetGroupMember[] {
    const members = new Map<string, TargetGroupMember>();
    for (const e of this.o.services.values()) {
      const lb = e.object.loadBalancers.find((l: LoadBalancer) => l.targetGroupArn === arn);
      if (!lb) continue;
      for (const taskArn of this.tasksByService.get(e.key) ?? []) {
        const t = this.o.tasks.get(taskArn)?.object;
        if (t) members.set(taskArn, { task: t, loadBalancer: lb });
      }
    }
    for (const taskArn of this.holders.get(arn) ?? []) {
      const t = this.o.tasks.get(taskArn)?.object;
      if (t && !members.has(taskArn)) members.set(taskArn, { task: t });
    }
    // Tasks named by a registered target whose records still exist.
    for (const target of this.o.targetGroups.get(arn)?.object.Targets ?? []) {
      const t = target.TaskArn ? this.o.tasks.get(target.TaskArn)?.object : undefined;
      if (t && !members.has(t.taskArn)) members.set(t.taskArn, { task: t });
    }
    return [...members.values()];
  }

  private async reconcile(arn: string): Promise<{ requeueAfterMs?: number } | undefined> {
    const entry = this.o.targetGroups.get(arn);
    const monitorPrefix = `${arn}#`;
    if (!entry) {
      // The group is gone: nobody will drain its targets, so no task may wait for it.
      for (const key of [...this.monitor.keys()]) if (key.startsWith(monitorPrefix)) this.monitor.remove(key);
      await this.releaseAll(arn);
      return undefined;
    }
    const consumers = this.consumers.get(arn);
    const plan = planTargetGroup({
      targetGroup: entry.object,
      members: this.members(arn),
      health: (key) => this.monitor.get(monitorPrefix + key),
      idle: (key) => {
        if (!consumers || consumers.size === 0) return undefined;
        let all = true;
        for (const c of consumers) {
          const d = c.drained(key);
          if (d === undefined) return undefined;
          if (!d) all = false;
        }
        return all;
      },
      now: this.o.clock.now(),
    });
    const ops: Op<BatonKinds>[] = [];
    if (plan.targets !== entry.object.Targets) {
      const targets = [...plan.targets];
      ops.push({
        op: 'update',
        kind: 'TargetGroup',
        key: arn,
        ifVersion: entry.version,
        change: (tg) => {
          tg.Targets = targets;
        },
      });
    }
    for (const h of plan.holds) {
      const t = this.o.tasks.get(h.taskArn);
      if (!t) continue;
      ops.push({
        op: 'update',
        kind: 'Task',
        key: h.taskArn,
        ifVersion: t.version,
        change: (task) => {
          if (h.releaseActivation)
            task.activationHolds = (task.activationHolds ?? []).filter((a) => a !== arn);
          if (h.addDeactivation && !(task.deactivationHolds ?? []).includes(arn))
            task.deactivationHolds = [...(task.deactivationHolds ?? []), arn];
          if (h.releaseDeactivation)
            task.deactivationHolds = (task.deactivationHolds ?? []).filter((a) => a !== arn);
        },
      });
    }
    if (ops.length > 0) await this.o.store.commit(ops);
    for (const t of plan.registered) {
      this.o.counters.inc('baton_targets_registered_total', { targetGroup: entry.object.TargetGroupName });
      this.o.logger({
        level: 'info',
        msg: 'target registered',
        targetGroup: arn,
        target: `${t.Id}:${t.Port}`,
        task: t.TaskArn,
      });
    }
    for (const t of plan.deregistered) {
      this.o.counters.inc('baton_targets_deregistered_total', { targetGroup: entry.object.TargetGroupName });
      this.o.logger({
        level: 'info',
        msg: 'target deregistered',
        targetGroup: arn,
        target: `${t.Id}:${t.Port}`,
        task: t.TaskArn,
      });
    }
    this.syncMonitor(entry.object, plan.targets);
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }

  /** Probes every registered, non-draining target with the group's health check. */
  private syncMonitor(tg: TargetGroup, targets: readonly TargetGroup['Targets'][number][]): void {
    const arn = tg.TargetGroupArn ?? tg.TargetGroupName;
    const settings = targetGroupSettings(tg);
    const prefix = `${arn}#`;
    const keep = new Set<string>();
    if (settings.healthCheck.enabled) {
      const check = healthCheckSpec(settings.healthCheck);
      for (const t of targets) {
        if (t.State === 'draining' || t.State === 'unused') continue;
        const key = prefix + targetKey(t);
        keep.add(key);
        const initial: TargetHealthState = {
          state: t.State,
          ...(t.Reason ? { reason: t.Reason as TargetHealthState['reason'] } : {}),
          ...(t.Description ? { description: t.Description } : {}),
          ...(t.Detail ? { detail: t.Detail } : {}),
          successes: 0,
          failures: 0,
        };
        this.monitor.upsert(key, { host: t.Id, port: t.Port, check, initial });
      }
    }
    for (const key of [...this.monitor.keys()])
      if (key.startsWith(prefix) && !keep.has(key)) this.monitor.remove(key);
  }

  private async releaseAll(arn: string): Promise<void> {
    const ops: Op<BatonKinds>[] = [];
    for (const taskArn of this.holders.get(arn) ?? []) {
      const t = this.o.tasks.get(taskArn);
      if (!t) continue;
      ops.push({
        op: 'update',
        kind: 'Task',
        key: taskArn,
        ifVersion: t.version,
        change: (task) => {
          task.activationHolds = (task.activationHolds ?? []).filter((a) => a !== arn);
          task.deactivationHolds = (task.deactivationHolds ?? []).filter((a) => a !== arn);
        },
      });
    }
    if (ops.length > 0) await this.o.store.commit(ops);
  }
}

function groupsOf(service: Service | undefined): string[] {
  return (service?.loadBalancers ?? []).flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : []));
}
