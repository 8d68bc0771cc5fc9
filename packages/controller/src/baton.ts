import { randomInt as cryptoRandomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Cluster, type ContainerInstance, defaultArnContext } from '@baton-ecs/model';
import type { RunTaskPlan } from '@baton-ecs/reconciler';
import {
  DockerRuntime,
  type EngineSpec,
  type ImagePinner,
  type InstanceAgent,
  storeAgentStore,
} from '@baton-ecs/runtime-docker';
import { parseCapacityProvider } from '@baton-ecs/scaler';
import { type ClusterState, mulberry32, type RandomSource } from '@baton-ecs/scheduler';
import {
  AlreadyExistsError,
  type BatonKinds,
  batonKinds,
  createMemoryStore,
  type Store,
} from '@baton-ecs/store';
import { isLeft } from 'fp-ts/lib/Either.js';
import { filter, map, merge, type Observable, Subject } from 'rxjs';
import type { BatonOptions, TaskStateChange } from './baton-options.js';
import { assertBatonOptions } from './baton-options-schema.js';
import { type Clock, systemClock } from './clock.js';
import { ClusterStates } from './cluster-states.js';
import { containerActionReporter } from './container-actions.js';
import { EcsApi, type RunTaskApiRequest } from './ecs-api.js';
import { type ApiHandler, type ApiHandlerOptions, createApiHandler } from './endpoint/index.js';
import { BatonApiError } from './errors.js';
import { watchAgentPresence } from './leader/agent-presence.js';
import {
  BatonHa,
  type ControllerInformers,
  isLockingStore,
  type LeaderState,
  type LockingStore,
} from './leader/index.js';
import { AwslogsCollector, LogStore, LogsApi } from './logs/index.js';
import { TaskMetadataEndpoint } from './metadata/metadata-endpoint.js';
import { Counters, jsonLogger, type Logger } from './observability.js';
import { checkRequest } from './requests.js';
import { AutoScalingApi } from './scaling/auto-scaling-api.js';
import { CapacityController, type EngineProvider } from './scaling/capacity-controller.js';
import { ScalingController } from './scaling/scaling-controller.js';
import { SecretCipher, SecretResolver, SecretsApi, validateSecretsOptions } from './secrets/index.js';
import { BatonInjector } from './secrets/injector.js';
import { ServiceController, type ServiceEventNotice } from './service-controller.js';
import { type BatonHealth, StoreHealthMonitor } from './store-health.js';
import { ElbV2Api, TargetGroupController } from './target-groups/index.js';
import { type BatonInformers, createInformers, imagePinnerOf } from './wiring.js';
import { batchedAgentStore, WriteBatcher } from './write-batcher.js';

export type { BatonOptions, TaskStateChange } from './baton-options.js';

/**
 * Baton's parts, for tools built on it (the simulator drives them with a manual clock) and for
 * diagnostics. Read-only views: writes still go through the API and the store.
 */
export interface BatonInternals {
  readonly clock: Clock;
  readonly informers: BatonInformers;
  /** The service controller this replica runs (with leader election: the current term's, if leading). */
  readonly serviceController: ServiceController | undefined;
  /** RunTask's placement and commit, with each failure's count. */
  placeStandaloneTasks(request: RunTaskApiRequest): Promise<{ plan: RunTaskPlan; taskDefinitionArn: string }>;
}

export async function createBaton(options: BatonOptions = {}): Promise<Baton> {
  assertBatonOptions(options);
  const owned = options.store === undefined;
  const store =
    options.store ??
    (await createMemoryStore({
      kinds: batonKinds,
      ...(options.dataDir ? { persistence: { dir: options.dataDir } } : {}),
    }));
  return new Baton(store, options, owned);
}

/**
 * Baton, embedded: a store, the controllers that watch it, and one task
 * agent per Docker engine. The methods are ECS's API (`createService`,
 * `describeTasks`, …); `stop()` leaves containers running, and a Baton
 * started again over the same store adopts them.
 */
export class Baton extends EcsApi {
  readonly counters = new Counters();
  readonly logger: Logger;
  readonly serviceEvents$: Observable<ServiceEventNotice>;
  readonly taskStateChanges$: Observable<TaskStateChange>;
  private readonly informers: BatonInformers;

  /** ELBv2's target group API, and Baton's embedded listeners and nginx adapters. */
  readonly elbv2: ElbV2Api;
  /** Application Auto Scaling: scalable targets, policies, scheduled actions, activities, custom metrics. */
  readonly autoScaling: AutoScalingApi;
  /** The local parameter store and secrets store (SSM- and Secrets Manager-shaped) that container `secrets` read. */
  readonly secrets: SecretsApi;
  /** CloudWatch Logs' API over the awslogs streams Baton keeps (docs/logs.md). */
  readonly logs: LogsApi;
  private readonly logCollector: AwslogsCollector;
  /** Adds resolved secrets and the agent's variables to each container's create request. */
  private readonly injector: BatonInjector;
  /** ECS's task metadata endpoint v4 for the containers of local engines (metadata/). */
  private readonly metadataEndpoint: TaskMetadataEndpoint;
  private readonly targetGroups: TargetGroupController;
  private readonly scaling: ScalingController;
  private readonly capacity: CapacityController[] = [];
  private readonly controller: ServiceController;
  /** The one owner of the scheduler's cluster states, for every controller term and RunTask. */
  private readonly states: ClusterStates;
  private readonly agents = new Map<string, InstanceAgent>();
  private janitor: (() => void) | undefined;
  private readonly images: ImagePinner | undefined;
  /** The agents' task status writes, grouped into commits with a 5 ms latency cap. */
  private readonly writes: WriteBatcher;
  /** Leader election (leaderElection option): which single-writer loops this replica runs. */
  private readonly ha: BatonHa | undefined;
  /** A service controller over a store (fenced, per leadership term) and informers (scoped to it). */
  private readonly makeServiceController: (
    store: Store<BatonKinds>,
    scoped?: ControllerInformers,
  ) => ServiceController;
  private started = false;
  private readonly storeHealth: StoreHealthMonitor;
  /** Where each task's FireLens socket directory lives on the engines' host. */
  private get firelensDir(): string {
    return resolve(this.options.dataDir ?? join(tmpdir(), 'baton'), 'firelens');
  }

  constructor(
    store: Store<BatonKinds>,
    private readonly options: BatonOptions,
    private readonly ownsStore: boolean,
  ) {
    const clock = options.clock ?? systemClock;
    const random: RandomSource = mulberry32(options.seed ?? cryptoRandomInt(0, 2 ** 31));
    const arn = options.arn ?? defaultArnContext;
    super(store, clock, random, arn, options.cluster ?? 'default');
    validateSecretsOptions(options);
    const cipher = options.secrets?.encryptionKey
      ? new SecretCipher(options.secrets.encryptionKey)
      : undefined;
    this.secrets = new SecretsApi(store, cipher, clock, arn);
    this.metadataEndpoint = new TaskMetadataEndpoint({
      store,
      engineOf: (instanceArn) => this.agents.get(instanceArn)?.engine,
      log: (record) => this.logger(record),
    });
    this.injector = new BatonInjector({
      store,
      region: arn.region,
      metadata: this.metadataEndpoint,
      logGroupExists: async (group) =>
        (await this.logs.describeLogGroups({ logGroupNamePrefix: group })).logGroups.some(
          (g) => g.logGroupName === group,
        ),
      resolver: new SecretResolver({
        local: this.secrets,
        ...(options.secrets?.provider ? { provider: options.secrets.provider } : {}),
        ...(options.secrets?.fileRoots ? { fileRoots: options.secrets.fileRoots } : {}),
      }),
    });
    this.logger = options.logger ?? jsonLogger('warn');
    this.writes = new WriteBatcher(store, { clock });
    this.storeHealth = new StoreHealthMonitor(store, this.logger);
    this.workloadSecurity = options.security ?? {};
    this.images = imagePinnerOf(options);
    this.informers = createInformers(store, clock, this.logger);
    if (options.leaderElection) {
      if (!isLockingStore(store)) {
        throw new Error(
          'leaderElection needs a store that can hold leases: pass store: etcdStore({ endpoints, prefix })',
        );
      }
      const retention = options.stoppedTaskRetentionMs ?? 60 * 60_000;
      this.ha = new BatonHa({
        store,
        election: options.leaderElection,
        logger: this.logger,
        informers: this.informers,
        serviceController: (s, scoped) => this.makeServiceController(s, scoped),
        leaderWork: (s) => {
          const stops = [this.startJanitor(retention, s), this.watchAgents(s, store)];
          return () => {
            for (const stop of stops) stop();
          };
        },
        startAgent: (engine, cluster, s) => this.startAgent(engine, cluster, s),
        stopAgent: async (agent) => {
          if (this.agents.get(agent.containerInstanceArn) === agent)
            this.agents.delete(agent.containerInstanceArn);
          await agent.stop({ waitForActions: false });
        },
      });
    }
    // Every replica runs these (health probes, metric windows); with leader election only the leader's writes land.
    const leaderStore = this.ha?.leaderStore ?? store;
    this.targetGroups = new TargetGroupController({
      store: leaderStore,
      targetGroups: this.informers.targetGroups,
      tasks: this.informers.tasks,
      services: this.informers.services,
      clock,
      random: () => random.next(),
      logger: this.logger,
      counters: this.counters,
      ...(options.resyncMs !== undefined ? { resyncMs: options.resyncMs } : {}),
    });
    this.states = new ClusterStates(this.informers);
    this.makeServiceController = (s, scoped) =>
      new ServiceController({
        store: s,
        ...this.informers,
        ...scoped,
        clock,
        random,
        arn,
        logger: this.logger,
        counters: this.counters,
        ...(options.instanceLostAfterMs !== undefined
          ? { instanceLostAfterMs: options.instanceLostAfterMs }
          : {}),
        ...(options.resyncMs !== undefined ? { resyncMs: options.resyncMs } : {}),
        targetHealth: () => this.targetGroups.targetHealth(),
        clusterStates: this.states,
        workers: options.serviceWorkers ?? 4,
      });
    this.controller = this.makeServiceController(store);
    // Target health feeds the service controller: a group's change re-reconciles the services naming it.
    this.informers.targetGroups.changes.subscribe((c) => {
      for (const e of this.informers.services.values())
        if (e.object.loadBalancers.some((lb) => lb.targetGroupArn === c.key))
          (this.ha?.controller ?? this.controller).loop.enqueue(e.key);
    });
    this.elbv2 = new ElbV2Api(
      store,
      this.informers.targetGroups,
      () => this.targetGroups,
      clock,
      arn,
      (tgArn) =>
        [...this.informers.services.values()].find(
          (e) =>
            e.object.status !== 'INACTIVE' &&
            e.object.loadBalancers.some((lb) => lb.targetGroupArn === tgArn),
        )?.object.serviceArn,
    );
    this.scaling = new ScalingController({
      store: leaderStore,
      configurations: this.informers.scaling,
      services: this.informers.services,
      tasks: this.informers.tasks,
      taskDefinition: (arn) => this.informers.taskDefinitions.get(arn)?.object,
      engineOf: (arn) => this.agents.get(arn)?.engine,
      random,
      logger: this.logger,
      counters: this.counters,
      ...(options.scaling?.scaler ? { scaler: options.scaling.scaler } : {}),
      ...(options.scaling?.statsIntervalMs !== undefined
        ? { statsIntervalMs: options.scaling.statsIntervalMs }
        : {}),
    });
    this.autoScaling = new AutoScalingApi(store, this.scaling);
    const logStore = new LogStore({
      ...(options.dataDir ? { dir: join(options.dataDir, 'logs') } : {}),
      ...(options.logs?.maxBytes !== undefined ? { maxBytes: options.logs.maxBytes } : {}),
      ...(options.logs?.segmentBytes !== undefined ? { segmentBytes: options.logs.segmentBytes } : {}),
      now: () => clock.now(),
    });
    this.logs = new LogsApi(logStore, arn);
    this.logCollector = new AwslogsCollector({
      store: logStore,
      tasks: () => [...this.informers.tasks.values()].map((e) => e.object),
      taskDefinition: (tdArn) => this.informers.taskDefinitions.get(tdArn)?.object,
      engineOf: (instanceArn) => this.agents.get(instanceArn)?.engine,
      logger: this.logger,
      ...(options.logs?.pollMs !== undefined ? { pollMs: options.logs.pollMs } : {}),
    });
    this.serviceEvents$ = this.ha
      ? merge(this.controller.events, this.ha.serviceEvents)
      : this.controller.events.asObservable();
    this.taskStateChanges$ = this.informers.tasks.changes.pipe(
      filter((c) => c.object !== undefined && c.object.object.lastStatus !== c.previous?.object.lastStatus),
      map((c) => ({
        taskArn: c.key,
        lastStatus: c.object!.object.lastStatus,
        desiredStatus: c.object!.object.desiredStatus,
        previousStatus: c.previous?.object.lastStatus,
        task: c.object!.object,
      })),
    );
  }

  /** Starts watching, reconciling and running containers. Resolves once the caches are in sync. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.storeHealth.start();
    for (const i of Object.values(this.informers)) i.start();
    await Promise.all(Object.values(this.informers).map((i) => i.synced));
    await this.ensureCluster(this.defaultCluster);
    if (this.ha) {
      this.targetGroups.start();
      this.scaling.start();
      this.logCollector.start();
      this.ha.start(this.options.engines ?? [], this.defaultCluster);
      this.logger({ level: 'info', msg: 'baton started; campaigning', cluster: this.defaultCluster });
      return;
    }
    await this.controller.start();
    this.targetGroups.start();
    this.scaling.start();
    this.logCollector.start();
    for (const engine of this.options.engines ?? []) await this.startAgent(engine, this.defaultCluster);
    this.janitor = this.startJanitor(this.options.stoppedTaskRetentionMs ?? 60 * 60_000);
    this.logger({
      level: 'info',
      msg: 'baton started',
      cluster: this.defaultCluster,
      engines: this.agents.size,
    });
  }

  /** Stops controllers and agents, leaving containers running; closes the store if Baton made it. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.janitor?.();
    this.janitor = undefined;
    // Leaders stop acting, then release their locks so another replica takes over at once.
    await this.ha?.stop();
    // In-flight engine calls finish on the engine by themselves; containers keep running.
    await Promise.all([...this.agents.values()].map((a) => a.stop({ waitForActions: false })));
    this.agents.clear();
    this.scaling.stop();
    await this.logCollector.stop();
    await this.metadataEndpoint.close();
    await this.elbv2.close();
    await this.targetGroups.stop();
    await this.controller.stop();
    for (const i of Object.values(this.informers)) i.stop();
    this.states.dispose();
    if (this.ownsStore) await this.store.close();
    this.storeHealth.stop();
    this.logger({ level: 'info', msg: 'baton stopped' });
  }

  // --- capacity providers ------------------------------------------------------

  /**
   * ECS managed scaling for the cluster: keeps CapacityProviderReservation at
   * the provider's `targetCapacity` by launching engines through `engines`
   * (each registered as a container instance) and, after `scaleInEvaluations`
   * quiet evaluations, deregistering and terminating empty ones it launched.
   */
  attachCapacityProvider(
    json: unknown,
    engines: EngineProvider,
    options: {
      readonly intervalMs?: number;
      readonly scaleInEvaluations?: number;
      readonly cluster?: string;
    } = {},
  ): CapacityController {
    const parsed = parseCapacityProvider(json);
    if (isLeft(parsed)) throw BatonApiError.invalid(parsed.left);
    const cluster = options.cluster ?? this.defaultCluster;
    const controller = new CapacityController({
      cluster,
      provider: parsed.right.value,
      engines,
      services: this.informers.services,
      tasks: this.informers.tasks,
      instances: this.informers.instances,
      taskDefinition: (arn) => this.informers.taskDefinitions.get(arn)?.object,
      register: async (engine) =>
        (await this.registerContainerInstance({ ...engine, cluster })).containerInstanceArn,
      deregister: async (arn) => {
        const i = await this.deregisterContainerInstance({ cluster, containerInstance: arn });
        return { instanceId: i.ec2InstanceId };
      },
      logger: this.logger,
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      ...(options.scaleInEvaluations !== undefined ? { scaleInEvaluations: options.scaleInEvaluations } : {}),
    });
    this.capacity.push(controller);
    controller.start();
    return controller;
  }

  /**
   * DeregisterContainerInstance: the instance leaves the cluster (INACTIVE) and its agent stops.
   * Refused while it runs tasks, unless `force` (its tasks are then replaced elsewhere as lost).
   */
  async deregisterContainerInstance(request: {
    readonly cluster?: string;
    readonly containerInstance: string;
    readonly force?: boolean;
  }): Promise<ContainerInstance> {
    checkRequest('deregisterContainerInstance', request);
    const { containerInstances } = await this.describeContainerInstances({
      ...(request.cluster ? { cluster: request.cluster } : {}),
      containerInstances: [request.containerInstance],
    });
    const instance = containerInstances[0];
    if (!instance)
      throw new BatonApiError(
        'InvalidParameterException',
        `Container instance not found: ${request.containerInstance}.`,
      );
    if (!request.force && instance.runningTasksCount + instance.pendingTasksCount > 0) {
      throw new BatonApiError(
        'InvalidParameterException',
        `Container instance ${instance.ec2InstanceId} still runs tasks; drain it or pass force.`,
      );
    }
    const agent = this.agents.get(instance.containerInstanceArn);
    this.agents.delete(instance.containerInstanceArn);
    await agent?.stop({ waitForActions: false });
    return (
      await this.store.update('ContainerInstance', instance.containerInstanceArn, (i) => {
        i.status = 'INACTIVE';
        i.agentConnected = false;
      })
    ).object;
  }

  /** With leader election: each lock this replica campaigns for, and whether it holds it. */
  leadership(): readonly LeaderState[] {
    return this.ha?.leadership ?? [];
  }

  /** With leader election: the leadership picture, on every change. */
  get leadership$(): Observable<readonly LeaderState[]> {
    return this.ha?.leadership$ ?? new Subject<readonly LeaderState[]>();
  }

  /**
   * AWS's wire protocols for this Baton (ECS, ELBv2, Application Auto Scaling…) as a Node
   * `(req, res)` handler, every request SigV4-signed by one of `options.credentials`. See docs/api.md.
   */
  apiHandler(options: ApiHandlerOptions): ApiHandler {
    return createApiHandler(this, options);
  }

  get internals(): BatonInternals {
    return {
      clock: this.clock,
      informers: this.informers,
      serviceController: this.ha ? this.ha.controller : this.controller,
      placeStandaloneTasks: (request) => this.placeStandaloneTasks(request),
    };
  }

  /**
   * Readiness, for a `/readyz`: not ready while the store cannot make writes durable (a full disk,
   * an I/O error) — writes and reads are refused then, and the store retries by itself.
   */
  health(): BatonHealth {
    return this.storeHealth.current();
  }

  /** Readiness, on every change. */
  get health$(): Observable<BatonHealth> {
    return this.storeHealth.health$;
  }

  /** Prometheus-style text of Baton's counters. */
  metrics(): string {
    return this.counters.text();
  }

  /** Adds a Docker engine as a container instance of `cluster` (default: Baton's cluster) and starts its agent. */
  override async registerContainerInstance(
    engine: EngineSpec & { readonly cluster?: string },
  ): Promise<ContainerInstance> {
    checkRequest('registerContainerInstance', engine);
    const cluster = engine.cluster ?? this.defaultCluster;
    await this.requireCluster(cluster);
    // With leader election the agent runs on whichever replica wins the engine's lock.
    const agent = this.ha
      ? { containerInstanceArn: this.ha.addEngine(engine, cluster) }
      : await this.startAgent(engine, cluster);
    const entry = await this.store.get('ContainerInstance', agent.containerInstanceArn);
    if (entry) return entry.object;
    const registered = await this.waitForInstance(agent.containerInstanceArn, 15_000);
    if (!registered)
      throw new BatonApiError(
        'ServerException',
        `Container instance ${engine.instanceId} did not register within 15 s; is its engine reachable?`,
      );
    return registered;
  }

  /** The agent of an instance, for tests and diagnostics. */
  agent(containerInstanceArn: string): InstanceAgent | undefined {
    return this.agents.get(containerInstanceArn);
  }

  protected override clusterState(cluster: string): ClusterState {
    return this.states.state(cluster);
  }

  protected override get clusterStates(): ClusterStates {
    return this.states;
  }

  protected override get cache() {
    return this.informers;
  }

  private async startAgent(
    engine: EngineSpec,
    cluster: string,
    store: Store<BatonKinds> = this.store,
  ): Promise<InstanceAgent> {
    const { agent: a } = this.options;
    // A fenced store (one engine-lock term) gets a batcher of its own.
    const writes = store === this.store ? this.writes : new WriteBatcher(store, { clock: this.clock });
    const runtime = new DockerRuntime({
      store: batchedAgentStore(storeAgentStore(store), writes),
      cluster,
      engines: [engine],
      ...(a?.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: a.heartbeatIntervalMs } : {}),
      ...(a?.heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs: a.heartbeatTimeoutMs } : {}),
      ...(a?.resyncIntervalMs !== undefined ? { resyncIntervalMs: a.resyncIntervalMs } : {}),
      ...(a?.concurrency !== undefined ? { concurrency: a.concurrency } : {}),
      ...(this.images ? { images: this.images } : {}),
      settings: { firelensDir: this.firelensDir, ...a?.settings },
      injector: this.injector,
      onAction: containerActionReporter(engine.instanceId, this.logger, this.counters),
      onError: (error, context) =>
        this.logger({
          level: 'warn',
          msg: 'agent error; retrying',
          instance: engine.instanceId,
          context,
          error: String(error),
        }),
    });
    const agent = runtime.agents[0]!;
    if (this.agents.has(agent.containerInstanceArn)) return this.agents.get(agent.containerInstanceArn)!;
    this.agents.set(agent.containerInstanceArn, agent);
    await agent.start();
    return agent;
  }

  private async ensureCluster(name: string): Promise<Cluster> {
    const existing = await this.store.get('Cluster', name);
    if (existing) return existing.object;
    return this.createCluster({ clusterName: name }).catch(async (err: unknown) => {
      // Another replica created it meanwhile.
      const created = err instanceof AlreadyExistsError ? await this.store.get('Cluster', name) : undefined;
      if (!created) throw err;
      return created.object;
    });
  }

  /** ECS's lost-instance rule for agents that run elsewhere (baton agent): see watchAgentPresence. */
  private watchAgents(store: Store<BatonKinds>, locks: LockingStore): () => void {
    return watchAgentPresence({
      store,
      locks,
      instances: () => this.informers.instances.values(),
      clock: this.clock,
      logger: this.logger,
    });
  }

  /** Sweeps STOPPED tasks past their retention, on Baton's clock; returns its stop function. */
  private startJanitor(retentionMs: number, store: Store<BatonKinds> = this.store): () => void {
    const every = Math.min(60_000, retentionMs);
    let handle: unknown;
    let stopped = false;
    const tick = () => {
      void this.sweepStoppedTasks(retentionMs, store).finally(() => {
        if (!stopped) handle = this.clock.setTimeout(tick, every);
      });
    };
    handle = this.clock.setTimeout(tick, every);
    return () => {
      stopped = true;
      this.clock.clearTimeout(handle);
    };
  }

  private async sweepStoppedTasks(retentionMs: number, store: Store<BatonKinds> = this.store): Promise<void> {
    const now = this.clock.now();
    for (const e of [...this.informers.tasks.values()]) {
      const t = e.object;
      if (t.lastStatus === 'STOPPED' && now - (t.stoppedAt ?? e.updatedAt) > retentionMs) {
        await store.delete('Task', e.key, { ifVersion: e.version }).catch(() => undefined);
      }
    }
  }

  /** The instance record once the instances cache has it (its agent registers it), or undefined after `timeoutMs` on Baton's clock. */
  private waitForInstance(arn: string, timeoutMs: number): Promise<ContainerInstance | undefined> {
    const cached = this.informers.instances.get(arn)?.object;
    if (cached) return Promise.resolve(cached);
    return new Promise((resolve) => {
      let timer: unknown;
      const sub = this.informers.instances.changes.subscribe((c) => {
        if (c.key === arn && c.object) finish(c.object.object);
      });
      const finish = (found: ContainerInstance | undefined) => {
        sub.unsubscribe();
        this.clock.clearTimeout(timer);
        resolve(found);
      };
      timer = this.clock.setTimeout(() => finish(undefined), timeoutMs);
    });
  }
}
