import type { Clock } from '@baton-ecs/loop';
import {
  type ArnContext,
  arns,
  type Cluster,
  type ContainerInstance,
  clusterNameOf,
  type ParseWarning,
  parseCluster,
  parseTaskDefinition,
  parseTaskDefinitionRef,
  resourceName,
  type Service,
  type Task,
  type TaskDefinition,
} from '@baton-ecs/model';
import type { ClusterState, RandomSource } from '@baton-ecs/scheduler';
import {
  type BatonKinds,
  deregisterTaskDefinition,
  type Entry,
  findTaskDefinition,
  latestActiveTaskDefinition,
  registerTaskDefinition,
  type Store,
  serviceKey,
} from '@baton-ecs/store';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { ClusterStates } from './cluster-states.js';
import { BatonApiError } from './errors.js';
import type { Informer } from './informer.js';
import { checkRequest } from './requests.js';
import { type WorkloadSecurityOptions, workloadPolicyIssues } from './security-policy.js';

export interface EcsFailure {
  readonly arn: string;
  readonly reason: string;
}

export type Caches = {
  readonly services: Informer<BatonKinds, 'Service'>;
  readonly tasks: Informer<BatonKinds, 'Task'>;
  readonly instances: Informer<BatonKinds, 'ContainerInstance'>;
  readonly taskDefinitions: Informer<BatonKinds, 'TaskDefinition'>;
  readonly clusters: Informer<BatonKinds, 'Cluster'>;
};

/** What the ECS API works over: the store it writes, the caches it reads, and the placement owner. */
export interface EcsApiContext {
  readonly store: Store<BatonKinds>;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly arn: ArnContext;
  readonly defaultCluster: string;
  readonly cache: Caches;
  /** The one owner of the cluster states: RunTask places through it as the service controller does. */
  readonly clusterStates: ClusterStates;
  /** What tasks may ask of their hosts (createBaton's `security`); everything host-level is refused by default. */
  readonly workloadSecurity: WorkloadSecurityOptions;
}

/**
 * ECS's API over Baton's store — requests and responses in ECS's shapes,
 * errors with ECS's exception names; writes go to the store and the
 * controllers and agents do the rest. Part one: clusters, container
 * instances, task definitions and the lookups the rest of the API shares.
 * (Container instances join and leave through Baton's agents: see BatonAgents.)
 */
export class EcsClusterApi {
  readonly store: Store<BatonKinds>;
  readonly arnContext: ArnContext;
  readonly defaultCluster: string;
  protected readonly clock: Clock;
  protected readonly random: RandomSource;
  protected readonly cache: Caches;
  protected readonly clusterStates: ClusterStates;
  protected readonly workloadSecurity: WorkloadSecurityOptions;

  constructor(context: EcsApiContext) {
    this.store = context.store;
    this.arnContext = context.arn;
    this.defaultCluster = context.defaultCluster;
    this.clock = context.clock;
    this.random = context.random;
    this.cache = context.cache;
    this.clusterStates = context.clusterStates;
    this.workloadSecurity = context.workloadSecurity;
  }

  protected clusterState(cluster: string): ClusterState {
    return this.clusterStates.state(cluster);
  }

  // --- clusters -------------------------------------------------------------

  async createCluster(
    request: { readonly clusterName?: string; readonly [k: string]: unknown } = {},
  ): Promise<Cluster> {
    const parsed = parseCluster(request);
    if (isLeft(parsed)) throw BatonApiError.invalid(parsed.left);
    const cluster: Cluster = {
      ...parsed.right.value,
      clusterArn: arns.cluster(parsed.right.value.clusterName, this.arnContext),
      status: 'ACTIVE',
    };
    const existing = await this.store.get('Cluster', cluster.clusterName);
    if (existing?.object.status === 'INACTIVE')
      return (await this.store.update('Cluster', existing.key, cluster, { ifVersion: existing.version }))
        .object;
    if (existing) return existing.object; // ECS's CreateCluster is idempotent
    return (await this.store.create('Cluster', cluster)).object;
  }

  /** ListClusters: the ARNs of the ACTIVE clusters, sorted. */
  async listClusters(): Promise<{ clusterArns: string[] }> {
    return {
      clusterArns: [...this.cache.clusters.values()]
        .filter((e) => e.object.status !== 'INACTIVE')
        .map((e) => e.object.clusterArn ?? arns.cluster(e.object.clusterName, this.arnContext))
        .sort(),
    };
  }

  /**
   * DeleteCluster: the cluster becomes INACTIVE. Refused, in ECS's words, while container
   * instances are registered, services are active or tasks run in it.
   */
  async deleteCluster(request: { readonly cluster: string }): Promise<Cluster> {
    const name = clusterNameOf(request.cluster);
    const e = await this.requireCluster(name);
    for (const i of this.cache.instances.values())
      if (clusterNameOf(i.object.containerInstanceArn) === name && i.object.status !== 'INACTIVE')
        throw new BatonApiError(
          'ClusterContainsContainerInstancesException',
          'The Cluster cannot be deleted while Container Instances are active or draining.',
        );
    for (const s of this.cache.services.values())
      if (s.object.cluster === name && s.object.status !== 'INACTIVE')
        throw new BatonApiError(
          'ClusterContainsServicesException',
          'The Cluster cannot be deleted while Services are active.',
        );
    for (const t of this.cache.tasks.values())
      if (clusterNameOf(t.object.clusterArn) === name && t.object.lastStatus !== 'STOPPED')
        throw new BatonApiError(
          'ClusterContainsTasksException',
          'The Cluster cannot be deleted while Tasks are active.',
        );
    return (
      await this.store.update(
        'Cluster',
        e.key,
        (c) => {
          c.status = 'INACTIVE';
        },
        { ifVersion: e.version },
      )
    ).object;
  }

  async describeClusters(
    request: { readonly clusters?: readonly string[] } = {},
  ): Promise<{ clusters: Cluster[]; failures: EcsFailure[] }> {
    checkRequest('describeClusters', request);
    const names = (request.clusters ?? [this.defaultCluster]).map(clusterNameOf);
    const clusters: Cluster[] = [];
    const failures: EcsFailure[] = [];
    for (const name of names) {
      const e = this.cache.clusters.get(name) ?? (await this.store.get('Cluster', name));
      if (!e) failures.push({ arn: arns.cluster(name, this.arnContext), reason: 'MISSING' });
      else clusters.push(this.withClusterCounts(e.object));
    }
    return { clusters, failures };
  }

  // --- container instances ------------------------------------------------------

  async listContainerInstances(
    request: { readonly cluster?: string; readonly status?: ContainerInstance['status'] } = {},
  ): Promise<{ containerInstanceArns: string[] }> {
    checkRequest('listContainerInstances', request);
    const cluster = clusterNameOf(request.cluster ?? this.defaultCluster);
    return {
      containerInstanceArns: [...this.cache.instances.values()]
        .map((e) => e.object)
        .filter(
          (i) =>
            clusterNameOf(i.containerInstanceArn) === cluster &&
            (!request.status || i.status === request.status),
        )
        .map((i) => i.containerInstanceArn)
        .sort(),
    };
  }

  async describeContainerInstances(request: {
    readonly cluster?: string;
    readonly containerInstances: readonly string[];
  }): Promise<{ containerInstances: ContainerInstance[]; failures: EcsFailure[] }> {
    checkRequest('describeContainerInstances', request);
    const containerInstances: ContainerInstance[] = [];
    const failures: EcsFailure[] = [];
    for (const ref of request.containerInstances) {
      const found = this.findInstance(request.cluster, ref);
      if (found) containerInstances.push(this.withInstanceCounts(found.object));
      else failures.push({ arn: ref, reason: 'MISSING' });
    }
    return { containerInstances, failures };
  }

  /** ACTIVE or DRAINING: a DRAINING instance gets no new tasks and its service tasks move elsewhere. */
  async updateContainerInstancesState(request: {
    readonly cluster?: string;
    readonly containerInstances: readonly string[];
    readonly status: 'ACTIVE' | 'DRAINING';
  }): Promise<{ containerInstances: ContainerInstance[]; failures: EcsFailure[] }> {
    checkRequest('updateContainerInstancesState', request);
    const containerInstances: ContainerInstance[] = [];
    const failures: EcsFailure[] = [];
    for (const ref of request.containerInstances) {
      const found = this.findInstance(request.cluster, ref);
      if (!found) {
        failures.push({ arn: ref, reason: 'MISSING' });
        continue;
      }
      const updated = await this.store.update('ContainerInstance', found.key, (i) => {
        i.status = request.status;
      });
      containerInstances.push(updated.object);
    }
    return { containerInstances, failures };
  }

  // --- task definitions --------------------------------------------------------

  /** Registers the family's next revision from ECS JSON; returns it and the fields Baton ignores. */
  async registerTaskDefinition(
    json: unknown,
  ): Promise<{ taskDefinition: TaskDefinition; warnings: readonly ParseWarning[] }> {
    const parsed = parseTaskDefinition(json);
    if (isLeft(parsed)) throw BatonApiError.invalid(parsed.left);
    this.requireAllowed(parsed.right.value);
    const entry = await registerTaskDefinition(this.store, parsed.right.value, {
      now: this.clock.now(),
      arn: this.arnContext,
    });
    return { taskDefinition: entry.object, warnings: parsed.right.warnings };
  }

  async deregisterTaskDefinition(request: {
    readonly taskDefinition: string;
  }): Promise<{ taskDefinition: TaskDefinition }> {
    checkRequest('taskDefinition', request);
    const ref = parseTaskDefinitionRef(request.taskDefinition);
    if (!ref || ref.revision === undefined) {
      throw new BatonApiError(
        'InvalidParameterException',
        `taskDefinition must be family:revision or an ARN (got "${request.taskDefinition}")`,
      );
    }
    try {
      return {
        taskDefinition: (
          await deregisterTaskDefinition(this.store, ref.family, ref.revision, { now: this.clock.now() })
        ).object,
      };
    } catch {
      throw new BatonApiError(
        'ClientException',
        `Unable to describe task definition ${request.taskDefinition}.`,
      );
    }
  }

  async describeTaskDefinition(request: {
    readonly taskDefinition: string;
  }): Promise<{ taskDefinition: TaskDefinition }> {
    checkRequest('taskDefinition', request);
    return { taskDefinition: (await this.resolveTaskDefinition(request.taskDefinition)).object };
  }

  /**
   * ListTaskDefinitions: ARNs of one status (ACTIVE by default), optionally of one family,
   * sorted by family then revision (ASC, ECS's default) or the reverse.
   */
  async listTaskDefinitions(
    request: {
      readonly familyPrefix?: string;
      readonly status?: TaskDefinition['status'];
      readonly sort?: 'ASC' | 'DESC';
    } = {},
  ): Promise<{ taskDefinitionArns: string[] }> {
    const status = request.status ?? 'ACTIVE';
    const tds = [...this.cache.taskDefinitions.values()]
      .map((e) => e.object)
      .filter((td) => td.status === status && (!request.familyPrefix || td.family === request.familyPrefix))
      .sort((a, b) =>
        a.family === b.family ? (a.revision ?? 0) - (b.revision ?? 0) : a.family < b.family ? -1 : 1,
      );
    if (request.sort === 'DESC') tds.reverse();
    return { taskDefinitionArns: tds.map((td) => td.taskDefinitionArn!) };
  }

  /**
   * ListTaskDefinitionFamilies: families starting with `familyPrefix`; ACTIVE (the default) are
   * those with an ACTIVE revision, INACTIVE those without one, ALL both.
   */
  async listTaskDefinitionFamilies(
    request: { readonly familyPrefix?: string; readonly status?: 'ACTIVE' | 'INACTIVE' | 'ALL' } = {},
  ): Promise<{ families: string[] }> {
    const active = new Set<string>();
    const all = new Set<string>();
    for (const e of this.cache.taskDefinitions.values()) {
      const td = e.object;
      if (request.familyPrefix && !td.family.startsWith(request.familyPrefix)) continue;
      all.add(td.family);
      if (td.status === 'ACTIVE') active.add(td.family);
    }
    const status = request.status ?? 'ACTIVE';
    const families = [...all].filter((f) =>
      status === 'ALL' ? true : status === 'ACTIVE' ? active.has(f) : !active.has(f),
    );
    return { families: families.sort() };
  }

  // --- helpers ---------------------------------------------------------------

  /** Refuses a task definition that asks for more of the host than the security options allow. */
  protected requireAllowed(td: TaskDefinition): void {
    const issues = workloadPolicyIssues(td, this.workloadSecurity);
    if (issues.length > 0) throw BatonApiError.fromIssues('task definition', issues);
  }

  async requireCluster(name: string): Promise<Entry<Cluster>> {
    const e = this.cache.clusters.get(name) ?? (await this.store.get('Cluster', name));
    if (!e || e.object.status === 'INACTIVE')
      throw new BatonApiError('ClusterNotFoundException', `Cluster not found: ${name}.`);
    return e;
  }

  protected async requireService(clusterRef: string | undefined, ref: string): Promise<Entry<Service>> {
    const cluster = clusterNameOf(clusterRef ?? this.defaultCluster);
    const e = await this.store.get('Service', serviceKey(cluster, resourceName(ref)));
    if (!e) throw this.serviceNotFound(clusterRef, ref);
    return e;
  }

  protected serviceNotFound(clusterRef: string | undefined, ref: string): BatonApiError {
    const cluster = clusterNameOf(clusterRef ?? this.defaultCluster);
    return new BatonApiError(
      'ServiceNotFoundException',
      `Service not found: ${resourceName(ref)} in cluster ${cluster}.`,
    );
  }

  /** `family`, `family:revision` or an ARN → the task definition (family alone: its newest ACTIVE revision). */
  protected async resolveTaskDefinition(ref: string): Promise<Entry<TaskDefinition>> {
    const parsed = parseTaskDefinitionRef(ref);
    if (!parsed)
      throw new BatonApiError(
        'InvalidParameterException',
        `taskDefinition must be family, family:revision or an ARN (got "${ref}")`,
      );
    const found =
      parsed.revision === undefined
        ? await latestActiveTaskDefinition(this.store, parsed.family)
        : await findTaskDefinition(this.store, parsed.family, parsed.revision);
    if (!found) throw new BatonApiError('ClientException', `Unable to describe task definition ${ref}.`);
    return found;
  }

  protected findInstance(clusterRef: string | undefined, ref: string): Entry<ContainerInstance> | undefined {
    const direct = this.cache.instances.get(ref);
    if (direct) return direct;
    const cluster = clusterNameOf(clusterRef ?? this.defaultCluster);
    for (const e of this.cache.instances.values()) {
      const i = e.object;
      if (clusterNameOf(i.containerInstanceArn) !== cluster) continue;
      if (i.ec2InstanceId === ref || resourceName(i.containerInstanceArn) === ref) return e;
    }
    return undefined;
  }

  protected async findTask(clusterRef: string | undefined, ref: string): Promise<Entry<Task> | undefined> {
    if (ref.startsWith('arn:')) return this.cache.tasks.get(ref) ?? (await this.store.get('Task', ref));
    const cluster = clusterNameOf(clusterRef ?? this.defaultCluster);
    const arn = arns.task(cluster, ref, this.arnContext);
    return this.cache.tasks.get(arn) ?? (await this.store.get('Task', arn));
  }

  protected withInstanceCounts(i: ContainerInstance): ContainerInstance {
    let running = 0;
    let pending = 0;
    for (const e of this.cache.tasks.values()) {
      const t = e.object;
      if (
        t.containerInstanceArn !== i.containerInstanceArn ||
        t.desiredStatus !== 'RUNNING' ||
        t.lastStatus === 'STOPPED'
      )
        continue;
      if (t.lastStatus === 'RUNNING') running++;
      else pending++;
    }
    const remaining = this.clusterState(clusterNameOf(i.containerInstanceArn)).remainingResources(
      i.containerInstanceArn,
    );
    return {
      ...i,
      runningTasksCount: running,
      pendingTasksCount: pending,
      ...(remaining ? { remainingResources: remaining } : {}),
    };
  }

  protected withClusterCounts(c: Cluster): Cluster {
    let running = 0;
    let pending = 0;
    let instances = 0;
    let services = 0;
    for (const e of this.cache.tasks.values()) {
      const t = e.object;
      if (
        clusterNameOf(t.clusterArn) !== c.clusterName ||
        t.desiredStatus !== 'RUNNING' ||
        t.lastStatus === 'STOPPED'
      )
        continue;
      if (t.lastStatus === 'RUNNING') running++;
      else pending++;
    }
    for (const e of this.cache.instances.values())
      if (clusterNameOf(e.object.containerInstanceArn) === c.clusterName) instances++;
    for (const e of this.cache.services.values())
      if (e.object.cluster === c.clusterName && e.object.status === 'ACTIVE') services++;
    return {
      ...c,
      runningTasksCount: running,
      pendingTasksCount: pending,
      registeredContainerInstancesCount: instances,
      activeServicesCount: services,
    };
  }
}
