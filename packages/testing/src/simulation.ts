import type {
  ArnContext,
  ContainerInstance,
  PlacementConstraint,
  PlacementStrategy,
  Service,
  Task,
  TaskDefinition,
} from '@baton-ecs/model';
import {
  type RunTaskPlan,
  resolveServiceTaskDefinition,
  type ServicePlan,
  taskHealthForDeployment,
} from '@baton-ecs/reconciler';
import { type BatonKinds, batonKinds, createMemoryStore, type Store, serviceKey } from '@baton-ecs/store';
import {
  type Baton,
  type BatonInternals,
  createBaton,
  ManualClock,
  type ServiceController,
  silentLogger,
} from 'baton-ecs';
import type { Subscription } from 'rxjs';
import type { TaskBehaviour } from './behaviour.js';
import { faultyStore, type SimulatedFaults } from './faults.js';
import { SimulatedAgents } from './simulated-agent.js';
import { containerInstanceOf, type SimulatedInstance } from './simulated-instance.js';

export interface SimulationOptions {
  readonly instances: readonly SimulatedInstance[];
  /** Seed of every random choice (placement ties, ids). Default 1. */
  readonly seed?: number;
  readonly cluster?: string;
  /** Virtual time per step. Default 1000 ms. */
  readonly stepMs?: number;
  /** Virtual clock at the start (epoch ms). Default 2024-01-01T00:00:00Z. */
  readonly startAt?: number;
  /** How every task behaves unless setBehaviour says otherwise. */
  readonly behaviour?: TaskBehaviour;
  readonly instanceLostAfterMs?: number;
  /** STOPPED tasks are forgotten after this long (ECS keeps them about an hour). Default 1 h. */
  readonly stoppedTaskRetentionMs?: number;
  readonly arn?: ArnContext;
  /**
   * Reconcile every service at each step (default true), on top of what wakes the controller in
   * production (changes, and each plan's requeueAfter). false: only those, exactly as in production.
   */
  readonly resyncEveryStep?: boolean;
  /** Service-controller workers (services reconciled at once). Default Baton's (4). */
  readonly serviceWorkers?: number;
  /** Store faults injected into Baton's commits: failed commits, lost answers. Default none. */
  readonly faults?: SimulatedFaults;
}

/** RunTask's options, as ECS takes them. */
export interface SimulatedRunTaskOptions {
  readonly group?: string;
  readonly startedBy?: string;
  readonly placementConstraints?: readonly PlacementConstraint[];
  readonly placementStrategy?: readonly PlacementStrategy[];
}

/**
 * A deterministic ECS cluster in memory with a virtual clock, run by Baton's own stack: `createBaton`'s
 * store, informers, work queue, service controller and ECS API (with all its validation) over a
 * memory store, a manual clock and a seeded random source. Simulated agents move tasks through their
 * lifecycle with the timings and failures you script. Same seed and script, same run.
 *
 * Every call that changes something is async: it returns once the controllers have reacted
 * (the caches are current and no reconcile is queued). Lookups are synchronous reads of Baton's caches.
 */
export class Simulation {
  readonly cluster: string;
  private readonly stepMs: number;
  private readonly clock: ManualClock;
  private readonly behaviours = new Map<string, TaskBehaviour>();
  private readonly listeners = new Set<(sim: Simulation) => void>();
  private readonly planListeners = new Set<(serviceName: string, plan: ServicePlan) => void>();
  private readonly ready: Promise<void>;
  private booted:
    | {
        baton: Baton;
        parts: BatonInternals;
        controller: ServiceController;
        store: Store<BatonKinds>;
        agents: SimulatedAgents;
        plans: Subscription;
      }
    | undefined;

  constructor(private readonly options: SimulationOptions) {
    this.cluster = options.cluster ?? 'default';
    this.stepMs = options.stepMs ?? 1000;
    this.clock = new ManualClock(options.startAt ?? Date.UTC(2024, 0, 1));
    this.ready = this.boot();
    // A failed boot is reported by the first call that awaits it.
    this.ready.catch(() => undefined);
  }

  /** The Baton the simulation runs: its whole API (describeServices, serviceEvents$, metrics…). */
  get baton(): Baton {
    if (!this.booted) throw new Error('the simulation is still starting: await one of its calls first');
    return this.booted.baton;
  }

  /** Virtual time, epoch ms. */
  get now(): number {
    return this.clock.now();
  }

  // --- declaring things -------------------------------------------------

  /** Registers the next revision of a family (ECS JSON); throws Baton's API error if it is invalid. */
  async registerTaskDefinition(json: unknown): Promise<TaskDefinition> {
    const { baton } = await this.parts();
    const { taskDefinition } = await baton.registerTaskDefinition(json);
    await this.settle();
    return taskDefinition;
  }

  /** Scripts how tasks of a revision behave: `family:revision`, a task-definition ARN, or `family` for all its revisions. */
  setBehaviour(ref: string, behaviour: TaskBehaviour): void {
    this.behaviours.set(ref, behaviour);
  }

  /** CreateService, through Baton's ECS API (the same validation and errors). */
  async createService(json: unknown): Promise<Service> {
    const { baton } = await this.parts();
    const request = { cluster: this.cluster, ...(json as Record<string, unknown>) };
    const created = await baton.createService(request);
    await this.settle();
    return created;
  }

  /** UpdateService: a new task definition starts a deployment; desiredCount scales. */
  async updateService(
    name: string,
    patch: Omit<Parameters<Baton['updateService']>[0], 'cluster' | 'service'>,
  ): Promise<Service> {
    const { baton } = await this.parts();
    const updated = await baton.updateService({ ...patch, cluster: this.cluster, service: name });
    await this.settle();
    return updated;
  }

  /** DeleteService: the service drains to zero tasks, then becomes INACTIVE (ECS's `force`: scaled to zero for you). */
  async deleteService(name: string): Promise<void> {
    const { baton } = await this.parts();
    await baton.deleteService({ cluster: this.cluster, service: name, force: true });
    await this.settle();
  }

  /** RunTask: standalone tasks, placed once and never replaced. Returns the tasks and what could not be placed (with counts). */
  async runTask(ref: string, count = 1, options: SimulatedRunTaskOptions = {}): Promise<RunTaskPlan> {
    const { parts } = await this.parts();
    const { plan } = await parts.placeStandaloneTasks({
      ...options,
      cluster: this.cluster,
      taskDefinition: ref,
      count,
    });
    await this.settle();
    return plan;
  }

  // --- the cluster ------------------------------------------------------

  /** A new instance joins: its simulated agent registers it. */
  async addInstance(spec: SimulatedInstance): Promise<ContainerInstance> {
    const { store } = await this.parts();
    const instance = (
      await store.create(
        'ContainerInstance',
        containerInstanceOf(spec, this.cluster, this.now, this.options.arn),
      )
    ).object;
    await this.settle();
    return instance;
  }

  async drainInstance(id: string): Promise<void> {
    await this.setInstanceState(id, 'DRAINING');
  }

  async activateInstance(id: string): Promise<void> {
    await this.setInstanceState(id, 'ACTIVE');
  }

  /** The instance's agent stops answering: its tasks freeze, and are replaced once it counts as lost. */
  async disconnectInstance(id: string): Promise<void> {
    const { agents } = await this.parts();
    await agents.setConnected(this.instance(id).containerInstanceArn, false, this.now);
    await this.settle();
  }

  async reconnectInstance(id: string): Promise<void> {
    const { agents } = await this.parts();
    await agents.setConnected(this.instance(id).containerInstanceArn, true, this.now);
    await this.settle();
  }

  /** StopTask: the user stops a task. */
  async stopTask(taskArn: string, reason = 'Task stopped by user'): Promise<void> {
    const { baton } = await this.parts();
    await baton.stopTask({ cluster: this.cluster, task: taskArn, reason });
    await this.settle();
  }

  /** An essential container of a running task exits on its own. */
  async killTask(taskArn: string, exitCode = 137): Promise<void> {
    const { agents, parts } = await this.parts();
    const entry = parts.informers.tasks.get(taskArn);
    if (!entry) throw new Error(`no task ${taskArn}`);
    await agents.exit(entry, exitCode, this.now);
    await this.settle();
  }

  // --- time ---------------------------------------------------------------

  /**
   * One step: time passes (the controllers' timers fire), every agent reports, and every service is
   * reconciled at least once (a resync), then the listeners run.
   */
  async step(): Promise<void> {
    const { parts, agents, controller } = await this.parts();
    // Settling is skipped when nothing happened: most steps of a long run change nothing.
    if (this.clock.advance(this.stepMs) > 0) await this.settle();
    const moved = await agents.report(
      parts.informers.tasks.values(),
      parts.informers.instances.values(),
      (arn) => parts.informers.taskDefinitions.get(arn)?.object,
      this.now,
    );
    if (moved) await this.settle();
    if (this.options.resyncEveryStep !== false) {
      controller.resync();
      await this.settle();
    }
    for (const l of this.listeners) l(this);
  }

  /** Runs for `ms` of virtual time. */
  async run(ms: number): Promise<void> {
    const until = this.now + ms;
    while (this.now < until) await this.step();
  }

  /** Steps until `predicate` holds (checked after each step) or `timeoutMs` passes; says which. */
  async runUntil(predicate: (sim: Simulation) => boolean, timeoutMs: number): Promise<boolean> {
    const until = this.now + timeoutMs;
    while (this.now < until) {
      await this.step();
      if (predicate(this)) return true;
    }
    return false;
  }

  /** Steps until the service's PRIMARY deployment is COMPLETED with no other deployment left running. */
  runUntilSteady(name: string, timeoutMs = 30 * 60_000): Promise<boolean> {
    return this.runUntil((sim) => sim.isSteady(name), timeoutMs);
  }

  /** Called after every step; returns an unsubscribe function. For invariants: "never fewer than 3 healthy". */
  onStep(listener: (sim: Simulation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called with every plan the service controller's passes accepted (committed, or nothing to write). */
  onPlan(listener: (serviceName: string, plan: ServicePlan) => void): () => void {
    this.planListeners.add(listener);
    return () => this.planListeners.delete(listener);
  }

  /** Stops Baton and closes the store. */
  async stop(): Promise<void> {
    if (!this.booted) return;
    const { baton, store, plans } = this.booted;
    plans.unsubscribe();
    await baton.stop();
    await store.close();
  }

  // --- looking -------------------------------------------------------------

  service(name: string): Service {
    const s = this.caches().services.get(serviceKey(this.cluster, name));
    if (!s) throw new Error(`no service named ${name}`);
    return s.object;
  }

  instance(id: string): ContainerInstance {
    for (const e of this.caches().instances.values()) if (e.object.ec2InstanceId === id) return e.object;
    throw new Error(`no container instance ${id}`);
  }

  task(taskArn: string): Task {
    const t = this.caches().tasks.get(taskArn);
    if (!t) throw new Error(`no task ${taskArn}`);
    return t.object;
  }

  taskDefinition(ref: string): TaskDefinition {
    const byArn = new Map<string, TaskDefinition>();
    for (const e of this.caches().taskDefinitions.values())
      byArn.set(e.object.taskDefinitionArn ?? e.key, e.object);
    const found = resolveServiceTaskDefinition(ref, byArn);
    if (!found) throw new Error(`no task definition ${ref}`);
    return found[1];
  }

  /** A service's tasks (not STOPPED unless asked), oldest first. */
  tasks(serviceName?: string, options: { readonly includeStopped?: boolean } = {}): Task[] {
    return [...this.caches().tasks.values()]
      .map((e) => e.object)
      .filter((t) => serviceName === undefined || t.group === `service:${serviceName}`)
      .filter((t) => options.includeStopped || t.lastStatus !== 'STOPPED')
      .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0));
  }

  /** Tasks with desiredStatus RUNNING that are RUNNING or on their way: what maximumPercent bounds. */
  liveTasks(serviceName: string): Task[] {
    return this.tasks(serviceName).filter((t) => t.desiredStatus === 'RUNNING');
  }

  /** Tasks that count as healthy for deployments, by ECS's rules. */
  healthyTasks(serviceName: string): Task[] {
    const service = this.service(serviceName);
    const tds = this.caches().taskDefinitions;
    return this.liveTasks(serviceName).filter((t) => {
      const td = tds.get(t.taskDefinitionArn)?.object;
      return td !== undefined && taskHealthForDeployment(t, td, service, this.now).state === 'healthy';
    });
  }

  /** Event messages, newest first. */
  events(serviceName: string): string[] {
    return this.service(serviceName).events.map((e) => e.message);
  }

  isSteady(name: string): boolean {
    const s = this.service(name);
    const primary = s.deployments.find((d) => d.status === 'PRIMARY');
    return (
      primary?.rolloutState === 'COMPLETED' &&
      s.deployments.every((d) => d.status !== 'ACTIVE') &&
      this.liveTasks(name).every((t) => t.startedBy === primary.id)
    );
  }

  // --- internals -------------------------------------------------------------

  private async boot(): Promise<void> {
    const { options, clock } = this;
    const store = await createMemoryStore({ kinds: batonKinds, clock: () => clock.now() });
    const baton = await createBaton({
      store: options.faults ? faultyStore(store, options.faults) : store,
      ...(options.serviceWorkers !== undefined ? { serviceWorkers: options.serviceWorkers } : {}),
      clock,
      seed: options.seed ?? 1,
      cluster: this.cluster,
      logger: silentLogger,
      // Every step reconciles every service (see step); no timer-driven resync on top.
      resyncMs: 0,
      ...(options.arn ? { arn: options.arn } : {}),
      ...(options.instanceLostAfterMs !== undefined
        ? { instanceLostAfterMs: options.instanceLostAfterMs }
        : {}),
      ...(options.stoppedTaskRetentionMs !== undefined
        ? { stoppedTaskRetentionMs: options.stoppedTaskRetentionMs }
        : {}),
    });
    await baton.start();
    const parts = baton.internals;
    const controller = parts.serviceController;
    if (!controller) throw new Error('the simulation needs a running service controller');
    const plans = controller.plans.subscribe((p) => {
      for (const l of this.planListeners) l(p.plan.service.serviceName, p.plan);
    });
    const agents = new SimulatedAgents(store, (td) => this.behaviourOf(td));
    this.booted = { baton, parts, controller, store, agents, plans };
    for (const spec of options.instances) {
      await store.create(
        'ContainerInstance',
        containerInstanceOf(spec, this.cluster, clock.now(), options.arn),
      );
    }
    await this.settle();
  }

  private async parts() {
    await this.ready;
    return this.booted!;
  }

  private caches(): BatonInternals['informers'] {
    if (!this.booted) throw new Error('the simulation is still starting: await one of its calls first');
    return this.booted.parts.informers;
  }

  /**
   * Waits until the stack has reacted to everything: the store's watch events are delivered
   * (microtasks), and the service controller has nothing queued or running. No timer is involved,
   * so this is as deterministic as the rest.
   */
  private async settle(): Promise<void> {
    const { controller } = this.booted!;
    do await new Promise<void>((resolve) => setImmediate(resolve));
    while (!controller.loop.idle);
  }

  private async setInstanceState(id: string, status: 'ACTIVE' | 'DRAINING'): Promise<void> {
    const { baton } = await this.parts();
    await baton.updateContainerInstancesState({
      cluster: this.cluster,
      containerInstances: [this.instance(id).containerInstanceArn],
      status,
    });
    await this.settle();
  }

  private behaviourOf(td: TaskDefinition | undefined): TaskBehaviour {
    if (!td) return this.options.behaviour ?? {};
    return (
      this.behaviours.get(td.taskDefinitionArn ?? '') ??
      this.behaviours.get(`${td.family}:${td.revision}`) ??
      this.behaviours.get(td.family) ??
      this.options.behaviour ??
      {}
    );
  }
}
