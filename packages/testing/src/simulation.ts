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
  batonLabels,
  type ContainerSpec,
  isPauseContainer,
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
import { containerBehaviour, pullBehaviour, type TaskBehaviour } from './behaviour.js';
import { faultyStore, type SimulatedFaults } from './faults.js';
import type { ContainerBehaviour } from './simulated-container.js';
import type { PullBehaviour } from './simulated-engine.js';
import { SimulatedHosts } from './simulated-hosts.js';
import type { SimulatedInstance } from './simulated-instance.js';

/** A guard against a loop of zero-delay timers: far more timer moments than any step has. */
const maxMomentsPerStep = 100_000;
/** A guard against a stack that never rests: far more event-loop turns than any settle takes. */
const maxTurnsToRest = 100_000;

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
 * memory store, a manual clock and a seeded random source, and on every instance Baton's own task
 * agent driving a simulated engine (SimulatedEngine), which plays the timings and failures you script.
 * Same seed and script, same run.
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
        hosts: SimulatedHosts;
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

  /**
   * Scripts how tasks of a revision behave: `family:revision`, a task-definition ARN, or `family` for
   * all its revisions. Containers already running follow the new behaviour (health, exits) from now on.
   */
  setBehaviour(ref: string, behaviour: TaskBehaviour): void {
    this.behaviours.set(ref, behaviour);
    this.booted?.hosts.refresh();
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

  /** A new instance joins: a simulated engine, registered by Baton's own agent for it. */
  async addInstance(spec: SimulatedInstance): Promise<ContainerInstance> {
    const { baton, hosts } = await this.parts();
    const instance = await baton.registerContainerInstance(hosts.add(spec));
    await this.settle();
    return instance;
  }

  async drainInstance(id: string): Promise<void> {
    await this.setInstanceState(id, 'DRAINING');
  }

  async activateInstance(id: string): Promise<void> {
    await this.setInstanceState(id, 'ACTIVE');
  }

  /**
   * The instance's engine stops answering: its agent marks the instance disconnected, its tasks are
   * no longer reported, and they are replaced once it counts as lost.
   */
  async disconnectInstance(id: string): Promise<void> {
    const { hosts } = await this.parts();
    hosts.engine(id).setReachable(false);
    await this.settle();
  }

  /** The engine answers again; its agent reconnects at once (rather than at its next heartbeat). */
  async reconnectInstance(id: string): Promise<void> {
    const { hosts, baton } = await this.parts();
    hosts.engine(id).setReachable(true);
    await baton.agent(this.instance(id).containerInstanceArn)?.checkEngine();
    await this.settle();
  }

  /** StopTask: the user stops a task. */
  async stopTask(taskArn: string, reason = 'Task stopped by user'): Promise<void> {
    const { baton } = await this.parts();
    await baton.stopTask({ cluster: this.cluster, task: taskArn, reason });
    await this.settle();
  }

  /** The containers of a running task exit on their own (a crash, an OOM kill) with `exitCode`. */
  async killTask(taskArn: string, exitCode = 137): Promise<void> {
    const { hosts, parts } = await this.parts();
    const task = parts.informers.tasks.get(taskArn)?.object;
    if (!task) throw new Error(`no task ${taskArn}`);
    const instance = parts.informers.instances.get(task.containerInstanceArn ?? '')?.object;
    if (!instance) throw new Error(`task ${taskArn} is on no instance`);
    const engine = hosts.engine(instance.ec2InstanceId);
    for (const c of engine.list()) if (c.labels[batonLabels.taskArn] === taskArn) engine.exit(c.id, exitCode);
    await this.settle();
  }

  // --- time ---------------------------------------------------------------

  /**
   * One step: time passes — every timer (the engines' delays, the agents' heartbeats and requeues,
   * the controllers' timers) fires at its own virtual moment, and the stack comes to rest after each
   * — then every service is reconciled at least once (a resync), then the listeners run.
   */
  async step(): Promise<void> {
    const { controller } = await this.parts();
    const until = this.now + this.stepMs;
    for (let moments = 0; ; moments++) {
      const next = this.clock.nextTimerAt();
      if (next === undefined || next > until) break;
      if (moments > maxMomentsPerStep)
        throw new Error(`the simulation keeps setting timers at ${new Date(next).toISOString()}: a loop?`);
      this.clock.advance(Math.max(0, next - this.now));
      await this.settle();
    }
    this.clock.advance(until - this.now);
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
    const hosts = new SimulatedHosts({
      clock,
      containers: (spec) => this.containerBehaviourOf(spec),
      pulls: (image, instanceId) => this.pullBehaviourOf(image, instanceId),
    });
    const baton = await createBaton({
      // Baton's own agent on every instance, driving the host's simulated engine.
      agent: { engineFor: (spec) => hosts.engineFor(spec) },
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
    this.booted = { baton, parts, controller, store, hosts, plans };
    for (const spec of options.instances) await baton.registerContainerInstance(hosts.add(spec));
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
   * Waits until the stack has reacted to everything that does not wait on the clock: the store's
   * watch events are delivered, the agents' status writes committed, no engine answer on its way,
   * no agent pass running and nothing queued or running in the service controller. No timer is
   * involved, so this is as deterministic as the rest.
   */
  private async settle(): Promise<void> {
    const { controller, parts, hosts, baton } = this.booted!;
    for (let turns = 0; ; turns++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      // The agents' writes wait for a timer of the (manual) clock: commit them now.
      if (parts.agentWrites.pending > 0) {
        await parts.agentWrites.flush();
        continue;
      }
      if (controller.loop.idle && !hosts.busy && this.agentsIdle(baton)) return;
      if (turns > maxTurnsToRest)
        throw new Error('the simulation never came to rest: something reconciles again and again');
    }
  }

  private agentsIdle(baton: Baton): boolean {
    for (const e of this.caches().instances.values())
      if (baton.agent(e.object.containerInstanceArn)?.idle === false) return false;
    return true;
  }

  /** How a container behaves: as its task definition's behaviour says (a pause container just runs). */
  private containerBehaviourOf(spec: ContainerSpec): ContainerBehaviour {
    const name = spec.labels[batonLabels.containerName];
    if (name !== undefined && isPauseContainer(name)) return {};
    const td = this.booted?.parts.informers.taskDefinitions.get(
      spec.labels[batonLabels.taskDefinitionArn] ?? '',
    )?.object;
    return containerBehaviour(this.behaviourOf(td));
  }

  /**
   * How a pull goes on an instance: as the behaviour of the tasks there that wait for the image
   * says (a refusal if any of them is scripted to fail its pull; the longest of their pull times).
   */
  private pullBehaviourOf(image: string, instanceId: string): PullBehaviour {
    const waiting: PullBehaviour[] = [];
    const caches = this.caches();
    for (const { object: t } of caches.tasks.values()) {
      if (t.desiredStatus !== 'RUNNING' || t.lastStatus === 'RUNNING' || t.lastStatus === 'STOPPED') continue;
      if (!t.containerInstanceArn?.endsWith(`/${instanceId}`)) continue;
      const td = caches.taskDefinitions.get(t.taskDefinitionArn)?.object;
      if (td?.containerDefinitions.some((c) => c.image === image))
        waiting.push(pullBehaviour(this.behaviourOf(td)));
    }
    if (waiting.length === 0) return pullBehaviour(this.options.behaviour ?? {});
    const failure = waiting.find((w) => w.failure !== undefined)?.failure;
    return {
      pullMs: Math.max(...waiting.map((w) => w.pullMs ?? 0)),
      ...(failure !== undefined ? { failure } : {}),
    };
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
