import type { Clock, Counters, Logger } from '@baton-ecs/loop';
import type { ArnContext, ContainerInstance } from '@baton-ecs/model';
import type { RunTaskPlan } from '@baton-ecs/reconciler';
import type { EngineSpec, InstanceAgent } from '@baton-ecs/runtime-docker';
import { parseCapacityProvider } from '@baton-ecs/scaler';
import { type BatonKinds, batonKinds, createMemoryStore, type Store } from '@baton-ecs/store';
import { isLeft } from 'fp-ts/lib/Either.js';
import { filter, map, type Observable } from 'rxjs';
import type { BatonOptions, TaskStateChange } from './baton-options.js';
import { assertBatonOptions } from './baton-options-schema.js';
import type { EcsApi, RunTaskApiRequest } from './ecs-api.js';
import { type ApiHandler, type ApiHandlerOptions, createApiHandler } from './endpoint/index.js';
import { BatonApiError } from './errors.js';
import type { LeaderState } from './leader/index.js';
import { BatonLifecycle } from './lifecycle.js';
import type { LogsApi } from './logs/index.js';
import { ContainerInstanceMembership } from './membership.js';
import type { AutoScalingApi } from './scaling/auto-scaling-api.js';
import { CapacityController, type EngineProvider } from './scaling/capacity-controller.js';
import type { SecretsApi } from './secrets/index.js';
import type { ServiceController, ServiceEventNotice } from './service-controller.js';
import type { BatonHealth } from './store-health.js';
import type { ElbV2Api } from './target-groups/index.js';
import { type BatonInformers, type BatonParts, wireBaton } from './wiring.js';
import type { WriteBatcher } from './write-batcher.js';

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
  /**
   * The task agents' status writes, grouped into commits on a timer of the clock: a simulation
   * flushes them when it waits for the stack to rest, since its clock only moves when told.
   */
  readonly agentWrites: Pick<WriteBatcher, 'pending' | 'flush'>;
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

type Ecs<M extends keyof EcsApi> = EcsApi[M] extends (...args: infer A) => infer R
  ? (...args: A) => R
  : never;

/**
 * Baton, embedded: a store, the controllers that watch it, and one task agent per Docker engine.
 * The methods are ECS's API (`createService`, `describeTasks`, …); `stop()` leaves containers
 * running, and a Baton started again over the same store adopts them. A facade: the parts are
 * built by `wireBaton`, started and stopped by `BatonLifecycle`, and ECS's API is `EcsApi`'s.
 */
export class Baton {
  readonly store: Store<BatonKinds>;
  readonly arnContext: ArnContext;
  readonly defaultCluster: string;
  readonly counters: Counters;
  readonly logger: Logger;
  readonly serviceEvents$: Observable<ServiceEventNotice>;
  readonly taskStateChanges$: Observable<TaskStateChange>;
  /** ELBv2's target group API, and Baton's embedded listeners and nginx adapters. */
  readonly elbv2: ElbV2Api;
  /** Application Auto Scaling: scalable targets, policies, scheduled actions, activities, custom metrics. */
  readonly autoScaling: AutoScalingApi;
  /** The local parameter store and secrets store (SSM- and Secrets Manager-shaped) that container `secrets` read. */
  readonly secrets: SecretsApi;
  /** CloudWatch Logs' API over the awslogs streams Baton keeps (docs/logs.md). */
  readonly logs: LogsApi;
  private readonly parts: BatonParts;
  private readonly lifecycle: BatonLifecycle;
  private readonly membership: ContainerInstanceMembership;

  constructor(store: Store<BatonKinds>, options: BatonOptions, ownsStore: boolean) {
    const parts = wireBaton(store, options, ownsStore);
    this.parts = parts;
    this.lifecycle = new BatonLifecycle(parts, options.engines ?? []);
    this.membership = new ContainerInstanceMembership(parts);
    ({ store: this.store, arn: this.arnContext, defaultCluster: this.defaultCluster } = parts);
    ({ counters: this.counters, logger: this.logger } = parts);
    ({ elbv2: this.elbv2, autoScaling: this.autoScaling, secrets: this.secrets, logs: this.logs } = parts);
    this.serviceEvents$ = parts.role.serviceEvents;
    this.taskStateChanges$ = parts.informers.tasks.changes.pipe(
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
  start(): Promise<void> {
    return this.lifecycle.start();
  }

  /** Stops controllers and agents, leaving containers running; closes the store if Baton made it. */
  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  // --- ECS's API (EcsApi) ----------------------------------------------------------

  readonly createCluster: Ecs<'createCluster'> = (...a) => this.parts.ecs.createCluster(...a);
  readonly listClusters: Ecs<'listClusters'> = (...a) => this.parts.ecs.listClusters(...a);
  readonly deleteCluster: Ecs<'deleteCluster'> = (...a) => this.parts.ecs.deleteCluster(...a);
  readonly describeClusters: Ecs<'describeClusters'> = (...a) => this.parts.ecs.describeClusters(...a);
  readonly listContainerInstances: Ecs<'listContainerInstances'> = (...a) =>
    this.parts.ecs.listContainerInstances(...a);
  readonly describeContainerInstances: Ecs<'describeContainerInstances'> = (...a) =>
    this.parts.ecs.describeContainerInstances(...a);
  readonly updateContainerInstancesState: Ecs<'updateContainerInstancesState'> = (...a) =>
    this.parts.ecs.updateContainerInstancesState(...a);
  readonly registerTaskDefinition: Ecs<'registerTaskDefinition'> = (...a) =>
    this.parts.ecs.registerTaskDefinition(...a);
  readonly deregisterTaskDefinition: Ecs<'deregisterTaskDefinition'> = (...a) =>
    this.parts.ecs.deregisterTaskDefinition(...a);
  readonly describeTaskDefinition: Ecs<'describeTaskDefinition'> = (...a) =>
    this.parts.ecs.describeTaskDefinition(...a);
  readonly listTaskDefinitions: Ecs<'listTaskDefinitions'> = (...a) =>
    this.parts.ecs.listTaskDefinitions(...a);
  readonly listTaskDefinitionFamilies: Ecs<'listTaskDefinitionFamilies'> = (...a) =>
    this.parts.ecs.listTaskDefinitionFamilies(...a);
  readonly createService: Ecs<'createService'> = (...a) => this.parts.ecs.createService(...a);
  readonly updateService: Ecs<'updateService'> = (...a) => this.parts.ecs.updateService(...a);
  readonly deleteService: Ecs<'deleteService'> = (...a) => this.parts.ecs.deleteService(...a);
  readonly describeServices: Ecs<'describeServices'> = (...a) => this.parts.ecs.describeServices(...a);
  readonly listServices: Ecs<'listServices'> = (...a) => this.parts.ecs.listServices(...a);
  readonly runTask: Ecs<'runTask'> = (...a) => this.parts.ecs.runTask(...a);
  readonly stopTask: Ecs<'stopTask'> = (...a) => this.parts.ecs.stopTask(...a);
  readonly describeTasks: Ecs<'describeTasks'> = (...a) => this.parts.ecs.describeTasks(...a);
  readonly listTasks: Ecs<'listTasks'> = (...a) => this.parts.ecs.listTasks(...a);

  /** Adds a Docker engine as a container instance of `cluster` (default: Baton's cluster) and starts its agent. */
  registerContainerInstance(engine: EngineSpec & { readonly cluster?: string }): Promise<ContainerInstance> {
    return this.membership.register(engine);
  }

  /**
   * DeregisterContainerInstance: the instance leaves the cluster (INACTIVE) and its agent stops.
   * Refused while it runs tasks, unless `force` (its tasks are then replaced elsewhere as lost).
   */
  deregisterContainerInstance(request: {
    readonly cluster?: string;
    readonly containerInstance: string;
    readonly force?: boolean;
  }): Promise<ContainerInstance> {
    return this.membership.deregister(request);
  }

  // --- capacity providers ------------------------------------------------------

  /**
   * ECS managed scaling for the cluster: keeps CapacityProviderReservation at
   * the provider's `targetCapacity` by launching engines through `engines`
   * (each registered as a container instance) and, after `scaleInEvaluations`
   * quiet evaluations, deregistering and terminating empty ones it launched.
   * It stops with Baton.
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
    const { informers } = this.parts;
    const controller = new CapacityController({
      cluster,
      provider: parsed.right.value,
      engines,
      services: informers.services,
      tasks: informers.tasks,
      instances: informers.instances,
      taskDefinition: (arn) => informers.taskDefinitions.get(arn)?.object,
      register: async (engine) =>
        (await this.registerContainerInstance({ ...engine, cluster })).containerInstanceArn,
      deregister: async (arn) => {
        const i = await this.deregisterContainerInstance({ cluster, containerInstance: arn });
        return { instanceId: i.ec2InstanceId };
      },
      logger: this.logger,
      clock: this.parts.clock,
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      ...(options.scaleInEvaluations !== undefined ? { scaleInEvaluations: options.scaleInEvaluations } : {}),
    });
    this.lifecycle.attach(controller);
    controller.start();
    return controller;
  }

  /** With leader election: each lock this replica campaigns for, and whether it holds it (none without). */
  leadership(): readonly LeaderState[] {
    return this.parts.role.leadership;
  }

  /** The leadership picture, on every change (without leader election: one empty picture, at once). */
  get leadership$(): Observable<readonly LeaderState[]> {
    return this.parts.role.leadership$;
  }

  /**
   * AWS's wire protocols for this Baton (ECS, ELBv2, Application Auto Scaling…) as a Node
   * `(req, res)` handler, every request SigV4-signed by one of `options.credentials`. See docs/api.md.
   */
  apiHandler(options: ApiHandlerOptions): ApiHandler {
    return createApiHandler(this, options);
  }

  get internals(): BatonInternals {
    const { clock, informers, role, ecs, writes } = this.parts;
    return {
      clock,
      informers,
      serviceController: role.controller,
      placeStandaloneTasks: (request) => ecs.placeStandaloneTasks(request),
      agentWrites: writes,
    };
  }

  /**
   * Readiness, for a `/readyz`: not ready while the store cannot make writes durable (a full disk,
   * an I/O error) — writes and reads are refused then, and the store retries by itself.
   */
  health(): BatonHealth {
    return this.parts.storeHealth.current();
  }

  /** Readiness, on every change. */
  get health$(): Observable<BatonHealth> {
    return this.parts.storeHealth.health$;
  }

  /** Prometheus-style text of Baton's counters. */
  metrics(): string {
    return this.counters.text();
  }

  /** The agent of an instance, for tests and diagnostics. */
  agent(containerInstanceArn: string): InstanceAgent | undefined {
    return this.parts.agents.get(containerInstanceArn);
  }
}
