import {
  type ArnContext,
  arns,
  type ContainerInstance,
  defaultArnContext,
  parseService,
  parseTaskDefinition,
  type Service,
  type Task,
  type TaskDefinition,
} from '@baton/model';
import {
  planRunTask,
  type RunTaskPlan,
  type RunTaskRequest,
  reconcileService,
  resolveServiceTaskDefinition,
  type ServicePlan,
  taskHealthForDeployment,
} from '@baton/reconciler';
import { mulberry32, type RandomSource } from '@baton/scheduler';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { TaskBehaviour } from './behaviour.js';
import { containerInstanceOf, type SimulatedInstance } from './simulated-instance.js';
import { advanceTask } from './task-lifecycle.js';

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
}

/**
 * A deterministic ECS cluster in memory with a virtual clock. Services are
 * reconciled by Baton's real `reconcileService` every step; a simulated
 * agent moves tasks through their lifecycle with the timings and failures
 * you script. Same seed and script, same run.
 */
export class Simulation {
  now: number;
  readonly cluster: string;
  private readonly stepMs: number;
  private readonly random: RandomSource;
  private readonly arn: ArnContext;
  private readonly instances = new Map<string, ContainerInstance>();
  private readonly taskDefinitions = new Map<string, TaskDefinition>();
  private readonly revisions = new Map<string, number>();
  private readonly services = new Map<string, Service>();
  private readonly taskMap = new Map<string, Task>();
  private readonly behaviours = new Map<string, TaskBehaviour>();
  private readonly listeners = new Set<(sim: Simulation) => void>();
  private readonly planListeners = new Set<(serviceName: string, plan: ServicePlan) => void>();

  constructor(private readonly options: SimulationOptions) {
    this.now = options.startAt ?? Date.UTC(2024, 0, 1);
    this.cluster = options.cluster ?? 'default';
    this.stepMs = options.stepMs ?? 1000;
    this.random = mulberry32(options.seed ?? 1);
    this.arn = options.arn ?? defaultArnContext;
    for (const spec of options.instances) this.addInstance(spec);
  }

  // --- declaring things -------------------------------------------------

  /** Registers the next revision of a family (ECS JSON); throws the ValidationError if it is invalid. */
  registerTaskDefinition(json: unknown): TaskDefinition {
    const parsed = parseTaskDefinition(json);
    if (isLeft(parsed)) throw parsed.left;
    const family = parsed.right.value.family;
    const revision = (this.revisions.get(family) ?? 0) + 1;
    this.revisions.set(family, revision);
    const taskDefinitionArn = arns.taskDefinition(family, revision, this.arn);
    const td: TaskDefinition = {
      ...parsed.right.value,
      revision,
      taskDefinitionArn,
      status: 'ACTIVE',
      registeredAt: this.now,
    };
    this.taskDefinitions.set(taskDefinitionArn, td);
    return td;
  }

  /** Scripts how tasks of a revision behave: `family:revision`, a task-definition ARN, or `family` for all its revisions. */
  setBehaviour(ref: string, behaviour: TaskBehaviour): void {
    this.behaviours.set(ref, behaviour);
  }

  createService(json: unknown): Service {
    const parsed = parseService(json);
    if (isLeft(parsed)) throw parsed.left;
    const service = parsed.right.value;
    if (this.services.has(service.serviceName))
      throw new Error(`service ${service.serviceName} already exists`);
    const created: Service = {
      ...service,
      cluster: this.cluster,
      taskDefinition: this.resolveTaskDefinition(service.taskDefinition),
      serviceArn: arns.service(this.cluster, service.serviceName, this.arn),
      clusterArn: arns.cluster(this.cluster, this.arn),
      createdAt: this.now,
    };
    this.services.set(created.serviceName, created);
    return created;
  }

  /** UpdateService: a new task definition starts a deployment; desiredCount scales. */
  updateService(
    name: string,
    patch: {
      readonly desiredCount?: number;
      readonly taskDefinition?: string;
      readonly deploymentConfiguration?: Partial<Service['deploymentConfiguration']>;
    },
  ): Service {
    const current = this.service(name);
    const next: Service = {
      ...current,
      ...(patch.desiredCount !== undefined ? { desiredCount: patch.desiredCount } : {}),
      ...(patch.taskDefinition !== undefined
        ? { taskDefinition: this.resolveTaskDefinition(patch.taskDefinition) }
        : {}),
      deploymentConfiguration: { ...current.deploymentConfiguration, ...patch.deploymentConfiguration },
    };
    this.services.set(name, next);
    return next;
  }

  /** DeleteService: the service drains to zero tasks, then becomes INACTIVE. */
  deleteService(name: string): void {
    this.services.set(name, { ...this.service(name), status: 'DRAINING', desiredCount: 0 });
  }

  /** RunTask: standalone tasks, placed once and never replaced. Returns the tasks and ECS-style failures. */
  runTask(
    ref: string,
    count = 1,
    options: Omit<RunTaskRequest, 'cluster' | 'taskDefinition' | 'count'> = {},
  ): RunTaskPlan {
    const plan = planRunTask(
      { cluster: this.cluster, taskDefinition: this.taskDefinition(ref), count, ...options },
      this.clusterSnapshot(),
      { now: this.now, random: this.random, arn: this.arn },
    );
    for (const t of plan.tasks) this.taskMap.set(t.taskArn, t);
    return plan;
  }

  // --- the cluster ------------------------------------------------------

  addInstance(spec: SimulatedInstance): ContainerInstance {
    const instance = containerInstanceOf(spec, this.cluster, this.now, this.arn);
    this.instances.set(spec.id, instance);
    return instance;
  }

  drainInstance(id: string): void {
    this.patchInstance(id, { status: 'DRAINING' });
  }

  activateInstance(id: string): void {
    this.patchInstance(id, { status: 'ACTIVE' });
  }

  /** The instance's agent stops answering: its tasks freeze, and are replaced once it counts as lost. */
  disconnectInstance(id: string): void {
    this.patchInstance(id, { agentConnected: false, agentDisconnectedAt: this.now });
  }

  reconnectInstance(id: string): void {
    const { agentDisconnectedAt: _gone, ...rest } = this.instance(id);
    this.instances.set(id, { ...rest, agentConnected: true });
  }

  /** StopTask: the user stops a task. */
  stopTask(taskArn: string, reason = 'Task stopped by user'): void {
    const task = this.task(taskArn);
    this.taskMap.set(taskArn, {
      ...task,
      desiredStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: reason,
      stoppingAt: this.now,
    });
  }

  /** An essential container of a running task exits on its own. */
  killTask(taskArn: string, exitCode = 137): void {
    const task = this.task(taskArn);
    this.taskMap.set(taskArn, {
      ...task,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      stoppedAt: this.now,
      containers: task.containers.map((c) => ({ ...c, lastStatus: 'STOPPED' as const, exitCode })),
    });
  }

  // --- time ---------------------------------------------------------------

  /** One step: time passes, the agent reports, every service is reconciled once. */
  step(): void {
    this.now += this.stepMs;
    this.advanceTasks();
    this.reconcileAll();
    for (const l of this.listeners) l(this);
  }

  /** Runs for `ms` of virtual time. */
  run(ms: number): void {
    const until = this.now + ms;
    while (this.now < until) this.step();
  }

  /** Steps until `predicate` holds (checked after each step) or `timeoutMs` passes; says which. */
  runUntil(predicate: (sim: Simulation) => boolean, timeoutMs: number): boolean {
    const until = this.now + timeoutMs;
    while (this.now < until) {
      this.step();
      if (predicate(this)) return true;
    }
    return false;
  }

  /** Steps until the service's PRIMARY deployment is COMPLETED with no other deployment left running. */
  runUntilSteady(name: string, timeoutMs = 30 * 60_000): boolean {
    return this.runUntil((sim) => sim.isSteady(name), timeoutMs);
  }

  /** Called after every step; returns an unsubscribe function. For invariants: "never fewer than 3 healthy". */
  onStep(listener: (sim: Simulation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called with every plan reconcileService returns. */
  onPlan(listener: (serviceName: string, plan: ServicePlan) => void): () => void {
    this.planListeners.add(listener);
    return () => this.planListeners.delete(listener);
  }

  // --- looking -------------------------------------------------------------

  service(name: string): Service {
    const s = this.services.get(name);
    if (!s) throw new Error(`no service named ${name}`);
    return s;
  }

  instance(id: string): ContainerInstance {
    const i = this.instances.get(id);
    if (!i) throw new Error(`no container instance ${id}`);
    return i;
  }

  task(taskArn: string): Task {
    const t = this.taskMap.get(taskArn);
    if (!t) throw new Error(`no task ${taskArn}`);
    return t;
  }

  taskDefinition(ref: string): TaskDefinition {
    const td = this.taskDefinitions.get(this.resolveTaskDefinition(ref));
    if (!td) throw new Error(`no task definition ${ref}`);
    return td;
  }

  /** A service's tasks (not STOPPED unless asked), oldest first. */
  tasks(serviceName?: string, options: { readonly includeStopped?: boolean } = {}): Task[] {
    return [...this.taskMap.values()]
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
    return this.liveTasks(serviceName).filter((t) => {
      const td = this.taskDefinitions.get(t.taskDefinitionArn);
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

  private clusterSnapshot() {
    return {
      instances: [...this.instances.values()],
      tasks: [...this.taskMap.values()],
      taskDefinitions: this.taskDefinitions,
    };
  }

  private resolveTaskDefinition(ref: string): string {
    const found = resolveServiceTaskDefinition(ref, this.taskDefinitions);
    if (!found) throw new Error(`no ACTIVE task definition matches ${ref}`);
    return found[0];
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

  private patchInstance(id: string, patch: Partial<ContainerInstance>): void {
    this.instances.set(id, { ...this.instance(id), ...patch });
  }

  private advanceTasks(): void {
    const connected = new Set(
      [...this.instances.values()].filter((i) => i.agentConnected).map((i) => i.containerInstanceArn),
    );
    const retention = this.options.stoppedTaskRetentionMs ?? 60 * 60_000;
    for (const [arn, task] of this.taskMap) {
      if (task.lastStatus === 'STOPPED') {
        if (this.now - (task.stoppedAt ?? this.now) > retention) this.taskMap.delete(arn);
        continue;
      }
      if (task.containerInstanceArn && !connected.has(task.containerInstanceArn)) continue;
      const td = this.taskDefinitions.get(task.taskDefinitionArn);
      const next = advanceTask(task, td, this.behaviourOf(td), this.now);
      if (next !== task) this.taskMap.set(arn, next);
    }
  }

  private reconcileAll(): void {
    // DAEMON services first: ECS launches daemon tasks before others.
    const order = [...this.services.values()].sort(
      (a, b) => Number(b.schedulingStrategy === 'DAEMON') - Number(a.schedulingStrategy === 'DAEMON'),
    );
    for (const { serviceName } of order) {
      const service = this.service(serviceName);
      const plan = reconcileService(
        {
          service,
          taskDefinitions: this.taskDefinitions,
          tasks: this.tasks(serviceName, { includeStopped: true }),
          cluster: this.clusterSnapshot(),
        },
        {
          now: this.now,
          random: this.random,
          arn: this.arn,
          ...(this.options.instanceLostAfterMs !== undefined
            ? { instanceLostAfterMs: this.options.instanceLostAfterMs }
            : {}),
        },
      );
      this.apply(plan);
      for (const l of this.planListeners) l(serviceName, plan);
    }
  }

  private apply(plan: ServicePlan): void {
    this.services.set(plan.service.serviceName, plan.service);
    for (const stop of plan.stopTasks) {
      const task = this.taskMap.get(stop.taskArn);
      if (!task) continue;
      this.taskMap.set(stop.taskArn, {
        ...task,
        desiredStatus: 'STOPPED',
        stopCode: stop.stopCode,
        stoppedReason: stop.stoppedReason,
        stoppingAt: this.now,
        ...(stop.lost ? { lastStatus: 'STOPPED' as const, stoppedAt: this.now } : {}),
      });
    }
    for (const task of plan.startTasks) this.taskMap.set(task.taskArn, task);
  }
}
