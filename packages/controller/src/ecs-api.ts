import {
  type ArnContext,
  arns,
  type Cluster,
  type ContainerInstance,
  checkServiceTaskDefinition,
  clusterNameOf,
  type ParseWarning,
  type PlacementConstraint,
  type PlacementStrategy,
  parseCluster,
  parseService,
  parseTaskDefinition,
  parseTaskDefinitionRef,
  resourceName,
  type Service,
  type Task,
  type TaskDefinition,
} from '@baton/model';
import { planRunTask } from '@baton/reconciler';
import type { EngineSpec } from '@baton/runtime-docker';
import type { ClusterState, RandomSource } from '@baton/scheduler';
import {
  type BatonKinds,
  deregisterTaskDefinition,
  type Entry,
  findTaskDefinition,
  latestActiveTaskDefinition,
  registerTaskDefinition,
  type Store,
  serviceKey,
} from '@baton/store';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { Clock } from './clock.js';
import { BatonApiError } from './errors.js';
import type { Informer } from './informer.js';

export interface EcsFailure {
  readonly arn: string;
  readonly reason: string;
}

type Caches = {
  readonly services: Informer<BatonKinds, 'Service'>;
  readonly tasks: Informer<BatonKinds, 'Task'>;
  readonly instances: Informer<BatonKinds, 'ContainerInstance'>;
  readonly taskDefinitions: Informer<BatonKinds, 'TaskDefinition'>;
  readonly clusters: Informer<BatonKinds, 'Cluster'>;
};

/**
 * ECS's API over Baton's store: requests and responses in ECS's shapes,
 * errors with ECS's exception names. Writes go to the store; the
 * controllers and agents do the rest.
 */
export abstract class EcsApi {
  constructor(
    readonly store: Store<BatonKinds>,
    protected readonly clock: Clock,
    protected readonly random: RandomSource,
    readonly arnContext: ArnContext,
    readonly defaultCluster: string,
  ) {}

  protected abstract get cache(): Caches;
  protected abstract clusterState(cluster: string): ClusterState;
  abstract registerContainerInstance(
    engine: EngineSpec & { readonly cluster?: string },
  ): Promise<ContainerInstance>;

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
    if (existing) return existing.object; // ECS's CreateCluster is idempotent
    return (await this.store.create('Cluster', cluster)).object;
  }

  async describeClusters(
    request: { readonly clusters?: readonly string[] } = {},
  ): Promise<{ clusters: Cluster[]; failures: EcsFailure[] }> {
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
    if (request.status !== 'ACTIVE' && request.status !== 'DRAINING') {
      throw new BatonApiError(
        'InvalidParameterException',
        `status must be ACTIVE or DRAINING (got ${String(request.status)})`,
      );
    }
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
    const entry = await registerTaskDefinition(this.store, parsed.right.value, {
      now: this.clock.now(),
      arn: this.arnContext,
    });
    return { taskDefinition: entry.object, warnings: parsed.right.warnings };
  }

  async deregisterTaskDefinition(request: {
    readonly taskDefinition: string;
  }): Promise<{ taskDefinition: TaskDefinition }> {
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
    return { taskDefinition: (await this.resolveTaskDefinition(request.taskDefinition)).object };
  }

  // --- services ----------------------------------------------------------------

  async createService(json: unknown): Promise<Service> {
    const parsed = parseService(json);
    if (isLeft(parsed)) throw BatonApiError.invalid(parsed.left);
    const request = parsed.right.value;
    const cluster = request.cluster;
    await this.requireCluster(cluster);
    const td = await this.resolveTaskDefinition(request.taskDefinition);
    const issues = checkServiceTaskDefinition(request, td.object);
    if (issues.length > 0) {
      throw new BatonApiError(
        'InvalidParameterException',
        issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        issues,
      );
    }
    for (const [i, lb] of request.loadBalancers.entries()) {
      if (lb.targetGroupArn !== undefined && !(await this.store.get('TargetGroup', lb.targetGroupArn))) {
        throw new BatonApiError(
          'InvalidParameterException',
          `loadBalancers[${i}].targetGroupArn: target group ${lb.targetGroupArn} does not exist.`,
          [
            {
              path: `loadBalancers[${i}].targetGroupArn`,
              rule: 'load-balancer',
              message: 'names no target group',
            },
          ],
        );
      }
    }
    const key = serviceKey(cluster, request.serviceName);
    const existing = await this.store.get('Service', key);
    if (existing && existing.object.status !== 'INACTIVE') {
      throw new BatonApiError('InvalidParameterException', 'Creation of service was not idempotent.');
    }
    const service: Service = {
      ...request,
      taskDefinition: td.object.taskDefinitionArn!,
      serviceArn: arns.service(cluster, request.serviceName, this.arnContext),
      clusterArn: arns.cluster(cluster, this.arnContext),
      status: 'ACTIVE',
      runningCount: 0,
      pendingCount: 0,
      deployments: [],
      events: [],
      createdAt: this.clock.now(),
    };
    if (existing)
      return (await this.store.update('Service', key, service, { ifVersion: existing.version })).object;
    return (await this.store.create('Service', service)).object;
  }

  /** UpdateService: a new task definition (or `forceNewDeployment`) starts a deployment; desiredCount scales. */
  async updateService(request: {
    readonly cluster?: string;
    readonly service: string;
    readonly desiredCount?: number;
    readonly taskDefinition?: string;
    readonly deploymentConfiguration?: Partial<Service['deploymentConfiguration']>;
    readonly healthCheckGracePeriodSeconds?: number;
    readonly placementConstraints?: readonly PlacementConstraint[];
    readonly placementStrategy?: readonly PlacementStrategy[];
  }): Promise<Service> {
    const current = await this.requireService(request.cluster, request.service);
    if (current.object.status !== 'ACTIVE') {
      throw new BatonApiError(
        'ServiceNotActiveException',
        `Service ${current.object.serviceName} is ${current.object.status}.`,
      );
    }
    const td =
      request.taskDefinition === undefined
        ? undefined
        : await this.resolveTaskDefinition(request.taskDefinition);
    // Validate the result as a whole, as createService does.
    const candidate = {
      ...current.object,
      ...(request.desiredCount !== undefined ? { desiredCount: request.desiredCount } : {}),
      ...(td ? { taskDefinition: td.object.taskDefinitionArn! } : {}),
      ...(request.healthCheckGracePeriodSeconds !== undefined
        ? { healthCheckGracePeriodSeconds: request.healthCheckGracePeriodSeconds }
        : {}),
      ...(request.placementConstraints ? { placementConstraints: request.placementConstraints } : {}),
      ...(request.placementStrategy ? { placementStrategy: request.placementStrategy } : {}),
      deploymentConfiguration: {
        ...current.object.deploymentConfiguration,
        ...request.deploymentConfiguration,
      },
    };
    const parsed = parseService(candidate);
    if (isLeft(parsed)) throw BatonApiError.invalid(parsed.left);
    if (td) {
      const issues = checkServiceTaskDefinition(parsed.right.value, td.object);
      if (issues.length > 0)
        throw new BatonApiError(
          'InvalidParameterException',
          issues.map((i) => `${i.path}: ${i.message}`).join('; '),
          issues,
        );
    }
    const next = { ...parsed.right.value, cluster: current.object.cluster };
    return (await this.store.update('Service', current.key, next)).object;
  }

  /** DeleteService: the service drains (desired 0), then becomes INACTIVE. `force` scales it to zero for you. */
  async deleteService(request: {
    readonly cluster?: string;
    readonly service: string;
    readonly force?: boolean;
  }): Promise<Service> {
    const current = await this.requireService(request.cluster, request.service);
    const s = current.object;
    if (s.schedulingStrategy === 'REPLICA' && (s.desiredCount ?? 0) > 0 && !request.force) {
      throw new BatonApiError(
        'InvalidParameterException',
        'The service cannot be stopped while it is scaled above 0.',
      );
    }
    return (
      await this.store.update('Service', current.key, (d) => {
        d.status = 'DRAINING';
        d.desiredCount = 0;
      })
    ).object;
  }

  async describeServices(request: {
    readonly cluster?: string;
    readonly services: readonly string[];
  }): Promise<{ services: Service[]; failures: EcsFailure[] }> {
    const cluster = clusterNameOf(request.cluster ?? this.defaultCluster);
    const services: Service[] = [];
    const failures: EcsFailure[] = [];
    for (const ref of request.services) {
      const name = resourceName(ref);
      const e =
        this.cache.services.get(serviceKey(cluster, name)) ??
        (await this.store.get('Service', serviceKey(cluster, name)));
      if (e) services.push(e.object);
      else failures.push({ arn: arns.service(cluster, name, this.arnContext), reason: 'MISSING' });
    }
    return { services, failures };
  }

  async listServices(request: { readonly cluster?: string } = {}): Promise<{ serviceArns: string[] }> {
    const cluster = clusterNameOf(request.cluster ?? this.defaultCluster);
    return {
      serviceArns: [...this.cache.services.values()]
        .map((e) => e.object)
        .filter((s) => s.cluster === cluster && s.status !== 'INACTIVE')
        .map((s) => s.serviceArn ?? arns.service(cluster, s.serviceName, this.arnContext))
        .sort(),
    };
  }

  // --- tasks ---------------------------------------------------------------------

  /** RunTask: standalone tasks, placed once, never replaced. Unplaceable ones are reported as failures. */
  async runTask(request: {
    readonly cluster?: string;
    readonly taskDefinition: string;
    readonly count?: number;
    readonly group?: string;
    readonly startedBy?: string;
    readonly placementConstraints?: readonly PlacementConstraint[];
    readonly placementStrategy?: readonly PlacementStrategy[];
  }): Promise<{ tasks: Task[]; failures: EcsFailure[] }> {
    const cluster = clusterNameOf(request.cluster ?? this.defaultCluster);
    await this.requireCluster(cluster);
    const count = request.count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 10) {
      throw new BatonApiError('InvalidParameterException', `count must be between 1 and 10 (got ${count})`);
    }
    const td = await this.resolveTaskDefinition(request.taskDefinition);
    if (td.object.status !== 'ACTIVE') {
      throw new BatonApiError(
        'ClientException',
        `TaskDefinition ${request.taskDefinition} is ${td.object.status}.`,
      );
    }
    const state = this.clusterState(cluster);
    const plan = planRunTask(
      {
        cluster,
        taskDefinition: td.object,
        count,
        ...(request.group ? { group: request.group } : {}),
        ...(request.startedBy ? { startedBy: request.startedBy } : {}),
        ...(request.placementConstraints ? { placementConstraints: request.placementConstraints } : {}),
        ...(request.placementStrategy ? { placementStrategy: request.placementStrategy } : {}),
      },
      state,
      { now: this.clock.now(), random: this.random, arn: this.arnContext },
    );
    if (plan.tasks.length > 0) {
      try {
        await this.store.commit(
          plan.tasks.map((t) => ({ op: 'create' as const, kind: 'Task' as const, object: t })),
        );
      } catch (error) {
        for (const t of plan.tasks) state.removeTask(t.taskArn);
        throw error;
      }
    }
    return {
      tasks: [...plan.tasks],
      failures: plan.failures.map((f) => ({
        arn: td.object.taskDefinitionArn ?? request.taskDefinition,
        reason: f.reason,
      })),
    };
  }

  async stopTask(request: {
    readonly cluster?: string;
    readonly task: string;
    readonly reason?: string;
  }): Promise<Task> {
    const e = await this.findTask(request.cluster, request.task);
    if (!e)
      throw new BatonApiError(
        'InvalidParameterException',
        `The referenced task was not found: ${request.task}`,
      );
    const now = this.clock.now();
    return (
      await this.store.update('Task', e.key, (t) => {
        if (t.desiredStatus === 'STOPPED') return;
        t.desiredStatus = 'STOPPED';
        t.stopCode = 'UserInitiated';
        t.stoppedReason = request.reason ?? 'Task stopped by user';
        t.stoppingAt = now;
      })
    ).object;
  }

  async describeTasks(request: {
    readonly cluster?: string;
    readonly tasks: readonly string[];
  }): Promise<{ tasks: Task[]; failures: EcsFailure[] }> {
    const tasks: Task[] = [];
    const failures: EcsFailure[] = [];
    for (const ref of request.tasks) {
      const e = await this.findTask(request.cluster, ref);
      if (e) tasks.push(e.object);
      else failures.push({ arn: ref, reason: 'MISSING' });
    }
    return { tasks, failures };
  }

  /** ListTasks: by service, family, instance, startedBy and desired status (RUNNING by default, as ECS). */
  async listTasks(
    request: {
      readonly cluster?: string;
      readonly serviceName?: string;
      readonly family?: string;
      readonly containerInstance?: string;
      readonly startedBy?: string;
      readonly desiredStatus?: 'RUNNING' | 'STOPPED';
    } = {},
  ): Promise<{ taskArns: string[] }> {
    const cluster = clusterNameOf(request.cluster ?? this.defaultCluster);
    const desired = request.desiredStatus ?? 'RUNNING';
    const instance = request.containerInstance
      ? this.findInstance(cluster, request.containerInstance)?.key
      : undefined;
    const taskArns = [...this.cache.tasks.values()]
      .map((e) => e.object)
      .filter(
        (t) =>
          clusterNameOf(t.clusterArn) === cluster &&
          t.desiredStatus === desired &&
          (!request.serviceName || t.group === `service:${resourceName(request.serviceName)}`) &&
          (!request.family || t.taskDefinitionArn.includes(`:task-definition/${request.family}:`)) &&
          (!request.containerInstance || t.containerInstanceArn === instance) &&
          (!request.startedBy || t.startedBy === request.startedBy),
      )
      .map((t) => t.taskArn)
      .sort();
    return { taskArns };
  }

  // --- helpers ---------------------------------------------------------------

  protected async requireCluster(name: string): Promise<Entry<Cluster>> {
    const e = this.cache.clusters.get(name) ?? (await this.store.get('Cluster', name));
    if (!e || e.object.status === 'INACTIVE')
      throw new BatonApiError('ClusterNotFoundException', `Cluster not found: ${name}.`);
    return e;
  }

  protected async requireService(clusterRef: string | undefined, ref: string): Promise<Entry<Service>> {
    const cluster = clusterNameOf(clusterRef ?? this.defaultCluster);
    const key = serviceKey(cluster, resourceName(ref));
    const e = await this.store.get('Service', key);
    if (!e)
      throw new BatonApiError(
        'ServiceNotFoundException',
        `Service not found: ${resourceName(ref)} in cluster ${cluster}.`,
      );
    return e;
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

  private findInstance(clusterRef: string | undefined, ref: string): Entry<ContainerInstance> | undefined {
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

  private async findTask(clusterRef: string | undefined, ref: string): Promise<Entry<Task> | undefined> {
    if (ref.startsWith('arn:')) return this.cache.tasks.get(ref) ?? (await this.store.get('Task', ref));
    const cluster = clusterNameOf(clusterRef ?? this.defaultCluster);
    const arn = arns.task(cluster, ref, this.arnContext);
    return this.cache.tasks.get(arn) ?? (await this.store.get('Task', arn));
  }

  private withInstanceCounts(i: ContainerInstance): ContainerInstance {
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

  private withClusterCounts(c: Cluster): Cluster {
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
