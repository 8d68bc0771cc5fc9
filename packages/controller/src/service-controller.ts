import type { Clock, Counters, Logger } from '@baton-ecs/loop';
import { ControllerLoop, type ReconcileContext, type ReconcileOutcome } from '@baton-ecs/loop';
import {
  type ArnContext,
  type ContainerImage,
  type ContainerInstance,
  clusterNameOf,
  type Service,
  type ServiceEvent,
  type Task,
} from '@baton-ecs/model';
import {
  appendServiceEvents,
  newEventId,
  reconcileService,
  type ServicePlan,
  serviceMessages,
  type TargetHealth,
} from '@baton-ecs/reconciler';
import type { ImagePinner } from '@baton-ecs/runtime-docker';
import type { ClusterState, RandomSource } from '@baton-ecs/scheduler';
import { type BatonKinds, type Entry, type Op, type Store, serviceKey } from '@baton-ecs/store';
import { Subject } from 'rxjs';
import { ClusterStates } from './cluster-states.js';
import { pinTaskImages, resolveDeploymentImages, unresolvedDeployments } from './deployment-images.js';
import type { Informer } from './informer.js';

export interface ServiceEventNotice {
  readonly cluster: string;
  readonly serviceName: string;
  readonly event: ServiceEvent;
}

/** One reconcile pass's decision, as it was accepted (committed, or nothing to write). */
export interface ServicePlanNotice {
  /** The service's store key (`cluster/name`). */
  readonly key: string;
  /** The service as the pass read it. */
  readonly service: Service;
  readonly plan: ServicePlan;
}

export interface ServiceControllerOptions {
  readonly store: Store<BatonKinds>;
  readonly services: Informer<BatonKinds, 'Service'>;
  readonly tasks: Informer<BatonKinds, 'Task'>;
  readonly instances: Informer<BatonKinds, 'ContainerInstance'>;
  readonly taskDefinitions: Informer<BatonKinds, 'TaskDefinition'>;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly arn: ArnContext;
  readonly instanceLostAfterMs?: number;
  readonly resyncMs?: number;
  readonly workers?: number;
  readonly logger: Logger;
  readonly counters: Counters;
  /** The owner of the cluster states (Baton's, shared with RunTask); default one of the controller's own. */
  readonly clusterStates?: ClusterStates;
  /**
   * Resolves each new deployment's images to digests (the registry client and logins the agents use):
   * every task of the deployment then runs those digests. Absent: images are launched as given.
   */
  readonly images?: ImagePinner;
  /** Load-balancer target health by task ARN, when a target-group controller supplies it. */
  readonly targetHealth?: () => ReadonlyMap<
    string,
    { readonly health: TargetHealth; readonly targetGroup: string; readonly port?: number }
  >;
}

/**
 * ECS's service scheduler, live: every change to a service, its tasks, the
 * cluster's instances or task definitions enqueues the services it may
 * affect; each reconcile reads the caches, calls the pure reconcileService,
 * and commits the plan atomically (compare-and-set on everything it read).
 */
export class ServiceController {
  readonly events = new Subject<ServiceEventNotice>();
  /** Every plan that landed (including passes with nothing to write): for the simulator and diagnostics. */
  readonly plans = new Subject<ServicePlanNotice>();
  readonly loop: ControllerLoop<string>;
  private readonly tasksByService = new Map<string, Map<string, Entry<Task>>>();
  private readonly states: ClusterStates;
  private readonly ownsStates: boolean;
  /** Images resolved for a deployment whose commit has not landed yet (a conflict retries the pass). */
  private readonly resolvedImages = new Map<string, ContainerImage[]>();

  constructor(private readonly o: ServiceControllerOptions) {
    this.loop = new ControllerLoop<string>({
      name: 'service',
      reconcile: (key, context) => this.reconcile(key, context),
      keys: () => [...o.services.values()].map((e) => e.key),
      caches: [o.services, o.tasks, o.instances, o.taskDefinitions],
      workers: o.workers ?? 1,
      ...(o.resyncMs !== undefined ? { resyncMs: o.resyncMs } : {}),
      clock: o.clock,
      random: () => o.random.next(),
      logger: o.logger,
      counters: o.counters,
    });
    this.ownsStates = o.clusterStates === undefined;
    this.states = o.clusterStates ?? new ClusterStates(o);
    this.loop.own(
      o.taskDefinitions.changes.subscribe(() => this.enqueueAll()),
      o.instances.changes.subscribe((c) => {
        const instance = (c.object ?? c.previous)!.object;
        this.enqueueCluster(clusterNameOf(instance.containerInstanceArn));
      }),
      o.tasks.changes.subscribe((c) => {
        const task = (c.object ?? c.previous)!.object;
        const service = serviceOf(task);
        if (service === undefined) return;
        const key = serviceKey(clusterNameOf(task.clusterArn), service);
        let tasks = this.tasksByService.get(key);
        if (!tasks) {
          tasks = new Map();
          this.tasksByService.set(key, tasks);
        }
        if (c.object) tasks.set(c.key, c.object);
        else tasks.delete(c.key);
        this.loop.enqueue(key);
      }),
      o.services.changes.subscribe((c) => this.loop.enqueue(c.key)),
    );
  }

  /** Starts reconciling once the caches have synced (CacheSyncTimeoutError if they never do). */
  start(): Promise<void> {
    return this.loop.start();
  }

  /** Stops reconciling: passes in flight are aborted before they commit; the watches end. */
  async stop(): Promise<void> {
    await this.loop.stop();
    if (this.ownsStates) this.states.dispose();
    this.events.complete();
    this.plans.complete();
  }

  /** Enqueues every service now, DAEMON services first (ECS launches daemon tasks first). */
  resync(): void {
    this.enqueueAll();
  }

  private enqueueAll(): void {
    const all = [...this.o.services.values()];
    for (const e of all) if (e.object.schedulingStrategy === 'DAEMON') this.loop.enqueue(e.key);
    for (const e of all) if (e.object.schedulingStrategy !== 'DAEMON') this.loop.enqueue(e.key);
  }

  private enqueueCluster(cluster: string): void {
    for (const e of this.o.services.values()) if (e.object.cluster === cluster) this.loop.enqueue(e.key);
  }

  /** The cluster's placement state, shared by every placement decision (services and RunTask). */
  clusterState(cluster: string): ClusterState {
    return this.states.state(cluster);
  }

  private async reconcile(key: string, context: ReconcileContext): Promise<ReconcileOutcome | undefined> {
    const entry = this.o.services.get(key);
    if (!entry) return undefined;
    const service = entry.object;
    const taskEntries = [...(this.tasksByService.get(key)?.values() ?? [])];
    const state = this.states.state(service.cluster);
    let plan = reconcileService(
      {
        service,
        taskDefinitions: this.states.taskDefinitions,
        // The state's own list (same tasks, same order as taskEntries): at rest, no task is read.
        tasks: this.states.serviceTasks(service.cluster, service.serviceName),
        cluster: state,
        ...(this.o.targetHealth ? { targetHealth: this.o.targetHealth() } : {}),
      },
      {
        now: this.o.clock.now(),
        random: this.o.random,
        arn: this.o.arn,
        ...(this.o.instanceLostAfterMs !== undefined
          ? { instanceLostAfterMs: this.o.instanceLostAfterMs }
          : {}),
      },
    );
    if (this.o.images) plan = await this.withDeploymentImages(plan, this.o.images);
    if (plan.service === service && plan.startTasks.length === 0 && plan.stopTasks.length === 0) {
      this.plans.next({ key, service, plan });
      return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
    }
    // The planner reserved its placements in the shared state: they are assumed until seen.
    // A stopping controller writes nothing more (another term's or replica's controller will).
    if (context.signal.aborted) return undefined;
    const assumption = this.states.assume(service.cluster, plan.startTasks);
    try {
      await this.o.store.commit(this.opsOf(key, entry, plan, taskEntries));
    } catch (error) {
      this.states.forget(assumption);
      throw error;
    }
    this.report(service, plan, context.logger);
    this.plans.next({ key, service, plan });
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }

  /**
   * The plan with its new deployments' images resolved to digests (once per deployment: I/O, here
   * and not in the pure planner) and its tasks pinned to their deployment's digests. An image the
   * registry cannot resolve is reported in the service's events; its tasks use the image as given,
   * and the next pass tries again.
   */
  private async withDeploymentImages(plan: ServicePlan, pinner: ImagePinner): Promise<ServicePlan> {
    let service = plan.service;
    const messages: string[] = [];
    for (const d of unresolvedDeployments(service)) {
      const td = this.states.taskDefinitions.get(d.taskDefinition);
      if (!td) continue;
      let images = this.resolvedImages.get(d.id);
      if (!images) {
        const resolved = await resolveDeploymentImages(td, pinner, d.id);
        for (const f of resolved.failures)
          messages.push(
            serviceMessages.imageUnresolved(service.serviceName, d.id, f.containerName, f.image, f.message),
          );
        if (resolved.failures.length > 0) continue;
        images = resolved.images;
        this.resolvedImages.set(d.id, images);
        // Only what a conflicted commit may still need is kept.
        if (this.resolvedImages.size > 1000)
          this.resolvedImages.delete(this.resolvedImages.keys().next().value!);
      }
      const resolvedImages = images;
      service = {
        ...service,
        deployments: service.deployments.map((x) =>
          x.id === d.id ? { ...x, containerImages: resolvedImages } : x,
        ),
      };
    }
    const byId = new Map(service.deployments.map((d) => [d.id, d]));
    const startTasks = plan.startTasks.map((t) =>
      t.startedBy === undefined ? t : pinTaskImages(t, byId.get(t.startedBy)),
    );
    let events = plan.events;
    if (messages.length > 0) {
      const appended = appendServiceEvents(service.events, messages, this.o.clock.now(), () =>
        newEventId(this.o.random),
      );
      service = { ...service, events: [...appended.events] };
      events = [...plan.events, ...appended.added];
    }
    if (service === plan.service && startTasks.every((t, i) => t === plan.startTasks[i])) return plan;
    return { ...plan, service, startTasks, events };
  }

  private opsOf(
    key: string,
    entry: Entry<Service>,
    plan: ServicePlan,
    tasks: readonly Entry<Task>[],
  ): Op<BatonKinds>[] {
    const byArn = new Map(tasks.map((t) => [t.key, t]));
    const now = this.o.clock.now();
    const ops: Op<BatonKinds>[] = [];
    ops.push(
      plan.service === entry.object
        ? { op: 'check', kind: 'Service', key, ifVersion: entry.version }
        : { op: 'update', kind: 'Service', key, change: plan.service, ifVersion: entry.version },
    );
    for (const t of plan.startTasks) ops.push({ op: 'create', kind: 'Task', object: t });
    for (const s of plan.stopTasks) {
      const current = byArn.get(s.taskArn);
      if (!current) continue;
      ops.push({
        op: 'update',
        kind: 'Task',
        key: s.taskArn,
        ifVersion: current.version,
        change: (t) => {
          t.desiredStatus = 'STOPPED';
          t.stopCode ??= s.stopCode;
          t.stoppedReason ??= s.stoppedReason;
          t.stoppingAt ??= now;
          if (s.lost) {
            t.lastStatus = 'STOPPED';
            t.stoppedAt = now;
          }
        },
      });
    }
    return ops;
  }

  private report(service: Service, plan: ServicePlan, logger: ReconcileContext['logger']): void {
    const { counters } = this.o;
    for (const t of plan.startTasks) {
      counters.inc('baton_tasks_started_total', { service: service.serviceName });
      logger({
        level: 'info',
        msg: 'task started',
        service: service.serviceName,
        task: t.taskArn,
        instance: t.containerInstanceArn,
        deployment: t.startedBy,
      });
    }
    for (const s of plan.stopTasks) {
      counters.inc('baton_tasks_stopped_total', { service: service.serviceName, stopCode: s.stopCode });
      logger({
        level: 'info',
        msg: 'task stopping',
        service: service.serviceName,
        task: s.taskArn,
        stopCode: s.stopCode,
        reason: s.stoppedReason,
      });
    }
    for (const event of plan.events) {
      logger({ level: 'info', msg: 'service event', service: service.serviceName, event: event.message });
      this.events.next({ cluster: service.cluster, serviceName: service.serviceName, event });
    }
  }
}

function serviceOf(task: Task): string | undefined {
  return task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
}

export type { ContainerInstance };
