import { randomInt as cryptoRandomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Clock, Counters, jsonLogger, type Logger, systemClock } from '@baton-ecs/loop';
import { type ArnContext, defaultArnContext } from '@baton-ecs/model';
import { createRegistryClient, ImageResolver } from '@baton-ecs/registry-client';
import { type ImagePinner, registryImagePinner } from '@baton-ecs/runtime-docker';
import { mulberry32, type RandomSource } from '@baton-ecs/scheduler';
import type { BatonKinds, Store } from '@baton-ecs/store';
import { BatonAgents } from './agents.js';
import type { BatonOptions } from './baton-options.js';
import { ClusterStates } from './cluster-states.js';
import { EcsApi } from './ecs-api.js';
import { Informer } from './informer.js';
import { StoppedTaskJanitor } from './janitor.js';
import { watchAgentPresence } from './leader/agent-presence.js';
import { BatonHa, type ControllerInformers, isLockingStore } from './leader/index.js';
import { AwslogsCollector, LogStore, LogsApi } from './logs/index.js';
import { TaskMetadataEndpoint } from './metadata/metadata-endpoint.js';
import { type ReplicaRole, SoleReplica } from './replica.js';
import { AutoScalingApi } from './scaling/auto-scaling-api.js';
import { ScalingController } from './scaling/scaling-controller.js';
import { SecretCipher, SecretResolver, SecretsApi, validateSecretsOptions } from './secrets/index.js';
import { BatonInjector } from './secrets/injector.js';
import { ServiceController } from './service-controller.js';
import { StoreHealthMonitor } from './store-health.js';
import { ElbV2Api, TargetGroupController } from './target-groups/index.js';
import { WriteBatcher } from './write-batcher.js';

/** One informer per kind Baton's controllers read. */
export interface BatonInformers {
  readonly services: Informer<BatonKinds, 'Service'>;
  readonly tasks: Informer<BatonKinds, 'Task'>;
  readonly instances: Informer<BatonKinds, 'ContainerInstance'>;
  readonly taskDefinitions: Informer<BatonKinds, 'TaskDefinition'>;
  readonly clusters: Informer<BatonKinds, 'Cluster'>;
  readonly scaling: Informer<BatonKinds, 'ScalingConfiguration'>;
  readonly targetGroups: Informer<BatonKinds, 'TargetGroup'>;
  readonly loadBalancers: Informer<BatonKinds, 'LoadBalancer'>;
  readonly listeners: Informer<BatonKinds, 'Listener'>;
}

export function createInformers(store: Store<BatonKinds>, clock: Clock, logger: Logger): BatonInformers {
  const onError = (kind: string) => (error: unknown) =>
    logger({ level: 'warn', msg: 'watch broke; resuming', kind, error: String(error) });
  const informer = <N extends keyof BatonKinds & string>(kind: N) =>
    new Informer(store, kind, clock, onError(kind));
  return {
    services: informer('Service'),
    tasks: informer('Task'),
    instances: informer('ContainerInstance'),
    taskDefinitions: informer('TaskDefinition'),
    clusters: informer('Cluster'),
    scaling: informer('ScalingConfiguration'),
    targetGroups: informer('TargetGroup'),
    loadBalancers: informer('LoadBalancer'),
    listeners: informer('Listener'),
  };
}

/** The image pinner the options ask for: the user's own, or one over a registry client, or none. */
export function imagePinnerOf(options: BatonOptions): ImagePinner | undefined {
  if (options.images) return options.images;
  if (!options.registry) return undefined;
  const client = createRegistryClient({
    ...(options.registry.credentials ? { credentials: options.registry.credentials } : {}),
    ...(options.registry.insecure !== undefined ? { insecure: options.registry.insecure } : {}),
  });
  return registryImagePinner(new ImageResolver(client), { registries: options.registry.registries });
}

/** Every part of one Baton, built and connected but not started (BatonLifecycle starts them). */
export interface BatonParts {
  readonly store: Store<BatonKinds>;
  /** Baton made the store, so Baton closes it on stop. */
  readonly ownsStore: boolean;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly arn: ArnContext;
  readonly defaultCluster: string;
  readonly logger: Logger;
  readonly counters: Counters;
  readonly informers: BatonInformers;
  /** The one owner of the scheduler's cluster states, for every controller term and RunTask. */
  readonly states: ClusterStates;
  readonly ecs: EcsApi;
  readonly elbv2: ElbV2Api;
  readonly autoScaling: AutoScalingApi;
  readonly secrets: SecretsApi;
  readonly logs: LogsApi;
  readonly logCollector: AwslogsCollector;
  /** ECS's task metadata endpoint v4 for the containers of local engines (metadata/). */
  readonly metadataEndpoint: TaskMetadataEndpoint;
  readonly targetGroups: TargetGroupController;
  readonly scaling: ScalingController;
  readonly agents: BatonAgents;
  readonly janitor: StoppedTaskJanitor;
  /** What this replica leads: everything (SoleReplica), or what it wins (BatonHa, with leaderElection). */
  readonly role: ReplicaRole;
  readonly storeHealth: StoreHealthMonitor;
  /** The agents' task status writes, grouped into commits with a 5 ms latency cap. */
  readonly writes: WriteBatcher;
}

/** Builds Baton's parts over `store` as `options` ask. Starts nothing: no timer, no watch. */
export function wireBaton(store: Store<BatonKinds>, options: BatonOptions, ownsStore: boolean): BatonParts {
  validateSecretsOptions(options);
  const clock = options.clock ?? systemClock;
  const random: RandomSource = mulberry32(options.seed ?? cryptoRandomInt(0, 2 ** 31));
  const arn = options.arn ?? defaultArnContext;
  const defaultCluster = options.cluster ?? 'default';
  const logger = options.logger ?? jsonLogger('warn');
  const counters = new Counters();
  const informers = createInformers(store, clock, logger);
  const states = new ClusterStates(informers);
  const ecs = new EcsApi({
    store,
    clock,
    random,
    arn,
    defaultCluster,
    cache: informers,
    clusterStates: states,
    workloadSecurity: options.security ?? {},
  });
  const cipher = options.secrets?.encryptionKey ? new SecretCipher(options.secrets.encryptionKey) : undefined;
  const secrets = new SecretsApi(store, cipher, clock, arn);
  // The agents are built below; the endpoint finds a task's engine through them when asked.
  let agents: BatonAgents | undefined;
  let logs: LogsApi | undefined;
  const metadataEndpoint = new TaskMetadataEndpoint({
    store,
    engineOf: (instanceArn) => agents?.engineOf(instanceArn),
    log: (record) => logger(record),
  });
  const injector = new BatonInjector({
    store,
    region: arn.region,
    metadata: metadataEndpoint,
    logGroupExists: async (group) =>
      (await logs!.describeLogGroups({ logGroupNamePrefix: group })).logGroups.some(
        (g) => g.logGroupName === group,
      ),
    resolver: new SecretResolver({
      local: secrets,
      ...(options.secrets?.provider ? { provider: options.secrets.provider } : {}),
      ...(options.secrets?.fileRoots ? { fileRoots: options.secrets.fileRoots } : {}),
    }),
  });
  const writes = new WriteBatcher(store, { clock });
  const images = imagePinnerOf(options);
  agents = new BatonAgents({
    store,
    clock,
    logger,
    counters,
    writes,
    injector,
    firelensDir: resolve(options.dataDir ?? join(tmpdir(), 'baton'), 'firelens'),
    ...(options.agent ? { agent: options.agent } : {}),
    ...(images ? { images } : {}),
  });
  const janitor = new StoppedTaskJanitor({
    tasks: informers.tasks,
    clock,
    retentionMs: options.stoppedTaskRetentionMs ?? 60 * 60_000,
  });
  // The target-group controller is built below; the service controller reads its health lazily.
  let targetGroups: TargetGroupController | undefined;
  const serviceController = (s: Store<BatonKinds>, scoped?: ControllerInformers) =>
    new ServiceController({
      store: s,
      ...informers,
      ...scoped,
      clock,
      random,
      arn,
      logger,
      counters,
      ...(options.instanceLostAfterMs !== undefined
        ? { instanceLostAfterMs: options.instanceLostAfterMs }
        : {}),
      ...(options.resyncMs !== undefined ? { resyncMs: options.resyncMs } : {}),
      targetHealth: () => targetGroups?.targetHealth() ?? new Map(),
      clusterStates: states,
      workers: options.serviceWorkers ?? 4,
      // The control plane resolves each deployment's images once, with the agents' registry client.
      ...(images ? { images } : {}),
    });
  const role = roleOf(store, options, { informers, clock, logger, agents, janitor, serviceController });
  // Every replica runs these (health probes, metric windows); with leader election only the leader's writes land.
  targetGroups = new TargetGroupController({
    store: role.leaderStore,
    targetGroups: informers.targetGroups,
    tasks: informers.tasks,
    services: informers.services,
    clock,
    random: () => random.next(),
    logger,
    counters,
    ...(options.resyncMs !== undefined ? { resyncMs: options.resyncMs } : {}),
  });
  const tg = targetGroups;
  const elbv2 = new ElbV2Api(
    store,
    informers.targetGroups,
    () => tg,
    clock,
    arn,
    (tgArn) =>
      [...informers.services.values()].find(
        (e) =>
          e.object.status !== 'INACTIVE' && e.object.loadBalancers.some((lb) => lb.targetGroupArn === tgArn),
      )?.object.serviceArn,
    { loadBalancers: informers.loadBalancers, listeners: informers.listeners, logger },
  );
  const scaling = new ScalingController({
    store: role.leaderStore,
    configurations: informers.scaling,
    services: informers.services,
    tasks: informers.tasks,
    taskDefinition: (a) => informers.taskDefinitions.get(a)?.object,
    engineOf: (a) => agents.engineOf(a),
    random,
    logger,
    counters,
    clock,
    ...(options.scaling?.scaler ? { scaler: options.scaling.scaler } : {}),
    ...(options.scaling?.statsIntervalMs !== undefined
      ? { statsIntervalMs: options.scaling.statsIntervalMs }
      : {}),
  });
  const logStore = new LogStore({
    ...(options.dataDir ? { dir: join(options.dataDir, 'logs') } : {}),
    ...(options.logs?.maxBytes !== undefined ? { maxBytes: options.logs.maxBytes } : {}),
    ...(options.logs?.segmentBytes !== undefined ? { segmentBytes: options.logs.segmentBytes } : {}),
    now: () => clock.now(),
  });
  logs = new LogsApi(logStore, arn);
  const logCollector = new AwslogsCollector({
    store: logStore,
    tasks: () => [...informers.tasks.values()].map((e) => e.object),
    taskDefinition: (tdArn) => informers.taskDefinitions.get(tdArn)?.object,
    engineOf: (a) => agents.engineOf(a),
    logger,
    ...(options.logs?.pollMs !== undefined ? { pollMs: options.logs.pollMs } : {}),
  });
  return {
    store,
    ownsStore,
    clock,
    random,
    arn,
    defaultCluster,
    logger,
    counters,
    informers,
    states,
    ecs,
    elbv2,
    autoScaling: new AutoScalingApi(store, scaling, () => clock.now()),
    secrets,
    logs,
    logCollector,
    metadataEndpoint,
    targetGroups,
    scaling,
    agents,
    janitor,
    role,
    storeHealth: new StoreHealthMonitor(store, logger),
    writes,
  };
}

/** The replica's role: with `leaderElection`, whatever it wins of a lock-holding store; otherwise all of it. */
function roleOf(
  store: Store<BatonKinds>,
  options: BatonOptions,
  parts: {
    readonly informers: BatonInformers;
    readonly clock: Clock;
    readonly logger: Logger;
    readonly agents: BatonAgents;
    readonly janitor: StoppedTaskJanitor;
    readonly serviceController: (s: Store<BatonKinds>, scoped?: ControllerInformers) => ServiceController;
  },
): ReplicaRole {
  const { informers, logger, agents, janitor, serviceController } = parts;
  if (!options.leaderElection)
    return new SoleReplica({
      store,
      controller: serviceController(store),
      agents,
      leaderWork: (s) => janitor.start(s),
    });
  if (!isLockingStore(store)) {
    throw new Error(
      'leaderElection needs a store that can hold leases: pass store: etcdStore({ endpoints, prefix })',
    );
  }
  return new BatonHa({
    store,
    election: options.leaderElection,
    logger,
    clock: parts.clock,
    informers,
    serviceController,
    leaderWork: (s) => {
      const stops = [
        janitor.start(s),
        // ECS's lost-instance rule for agents that run elsewhere (baton agent).
        watchAgentPresence({
          store: s,
          locks: store,
          instances: () => informers.instances.values(),
          clock: parts.clock,
          logger,
        }),
      ];
      return () => {
        for (const stop of stops) stop();
      };
    },
    startAgent: (engine, cluster, s) => agents.start(engine, cluster, s),
    stopAgent: (agent) => agents.stop(agent),
  });
}
