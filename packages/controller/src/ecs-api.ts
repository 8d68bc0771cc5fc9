import {
  arns,
  checkServiceTaskDefinition,
  clusterNameOf,
  type NetworkConfiguration,
  type PlacementConstraint,
  type PlacementStrategy,
  parseService,
  resourceName,
  type Service,
  type Task,
} from '@baton-ecs/model';
import {
  describedDeployments,
  ensurePrimaryDeployment,
  planRunTask,
  type RunTaskPlan,
} from '@baton-ecs/reconciler';
import type { RandomSource } from '@baton-ecs/scheduler';
import { serviceKey } from '@baton-ecs/store';
import { isLeft } from 'fp-ts/lib/Either.js';
import { EcsClusterApi, type EcsFailure } from './ecs-cluster-api.js';
import { BatonApiError } from './errors.js';
import { checkRequest } from './requests.js';

export type { EcsApiContext, EcsFailure } from './ecs-cluster-api.js';

/** RunTask's request. */
export interface RunTaskApiRequest {
  readonly cluster?: string;
  readonly taskDefinition: string;
  readonly count?: number;
  readonly group?: string;
  readonly startedBy?: string;
  readonly placementConstraints?: readonly PlacementConstraint[];
  readonly placementStrategy?: readonly PlacementStrategy[];
  /** awsvpc: the subnets of the tasks' network interfaces (docs/workloads.md). */
  readonly networkConfiguration?: NetworkConfiguration;
}

/** ECS's API, part two: services and tasks (see EcsClusterApi for the rest). */
export class EcsApi extends EcsClusterApi {
  // --- services ----------------------------------------------------------------

  async createService(json: unknown): Promise<Service> {
    const parsed = parseService(json);
    if (isLeft(parsed)) throw BatonApiError.invalid(parsed.left);
    const request = parsed.right.value;
    const cluster = request.cluster;
    await this.requireCluster(cluster);
    const td = await this.resolveTaskDefinition(request.taskDefinition);
    // Registered under another policy (an earlier start with other options) is checked again here.
    this.requireAllowed(td.object);
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
    const now = this.clock.now();
    // ECS's CreateService answers with the service's first deployment, PRIMARY and IN_PROGRESS.
    const service: Service = withNewDeployment(
      {
        ...request,
        taskDefinition: td.object.taskDefinitionArn!,
        serviceArn: arns.service(cluster, request.serviceName, this.arnContext),
        clusterArn: arns.cluster(cluster, this.arnContext),
        status: 'ACTIVE',
        runningCount: 0,
        pendingCount: 0,
        deployments: [],
        events: [],
        createdAt: now,
      },
      false,
      now,
      this.random,
    );
    if (existing)
      return (await this.store.update('Service', key, service, { ifVersion: existing.version })).object;
    return (await this.store.create('Service', service)).object;
  }

  /**
   * UpdateService: a new task definition (or `forceNewDeployment`) starts a deployment — in the call,
   * as ECS does: the response and any DescribeServices after it show the new PRIMARY (IN_PROGRESS) and
   * the previous one ACTIVE. desiredCount alone scales and starts none.
   */
  async updateService(request: {
    readonly cluster?: string;
    readonly service: string;
    readonly desiredCount?: number;
    readonly taskDefinition?: string;
    readonly deploymentConfiguration?: Partial<Service['deploymentConfiguration']>;
    readonly healthCheckGracePeriodSeconds?: number;
    readonly placementConstraints?: readonly PlacementConstraint[];
    readonly placementStrategy?: readonly PlacementStrategy[];
    /** ECS: a new deployment even when nothing else changed (same task definition: new tasks replace the old). */
    readonly forceNewDeployment?: boolean;
  }): Promise<Service> {
    checkRequest('updateService', request);
    const { key } = await this.requireService(request.cluster, request.service);
    const td =
      request.taskDefinition === undefined
        ? undefined
        : await this.resolveTaskDefinition(request.taskDefinition);
    if (td) this.requireAllowed(td.object);
    // Read, decide and write as one optimistic transaction: a scheduler pass that wrote the service
    // meanwhile (counts, events) makes the write conflict, and the update is decided again over it.
    const { result } = await this.store.transaction(async (tx) => {
      const current = await tx.get('Service', key);
      if (!current) throw this.serviceNotFound(request.cluster, request.service);
      if (current.object.status !== 'ACTIVE') {
        throw new BatonApiError(
          'ServiceNotActiveException',
          `Service ${current.object.serviceName} is ${current.object.status}.`,
        );
      }
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
      const next = withNewDeployment(
        { ...parsed.right.value, cluster: current.object.cluster },
        request.forceNewDeployment === true,
        this.clock.now(),
        this.random,
      );
      return tx.update('Service', key, next);
    });
    return result;
  }

  /** DeleteService: the service drains (desired 0), then becomes INACTIVE. `force` scales it to zero for you. */
  async deleteService(request: {
    readonly cluster?: string;
    readonly service: string;
    readonly force?: boolean;
  }): Promise<Service> {
    checkRequest('deleteService', request);
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
    checkRequest('describeServices', request);
    const cluster = clusterNameOf(request.cluster ?? this.defaultCluster);
    const services: Service[] = [];
    const failures: EcsFailure[] = [];
    for (const ref of request.services) {
      const name = resourceName(ref);
      const e =
        this.cache.services.get(serviceKey(cluster, name)) ??
        (await this.store.get('Service', serviceKey(cluster, name)));
      if (e) services.push(describedService(e.object));
      else failures.push({ arn: arns.service(cluster, name, this.arnContext), reason: 'MISSING' });
    }
    return { services, failures };
  }

  async listServices(request: { readonly cluster?: string } = {}): Promise<{ serviceArns: string[] }> {
    checkRequest('listServices', request);
    const cluster = clusterNameOf(request.cluster ?? this.defaultCluster);
    await this.requireCluster(cluster);
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
  async runTask(request: RunTaskApiRequest): Promise<{ tasks: Task[]; failures: EcsFailure[] }> {
    const { plan, taskDefinitionArn } = await this.placeStandaloneTasks(request);
    return {
      tasks: [...plan.tasks],
      failures: plan.failures.map((f) => ({ arn: taskDefinitionArn, reason: f.reason })),
    };
  }

  /** RunTask's work: validates, places and commits; the plan keeps each failure's count (the simulator reports it). */
  async placeStandaloneTasks(
    request: RunTaskApiRequest,
  ): Promise<{ plan: RunTaskPlan; taskDefinitionArn: string }> {
    checkRequest('runTask', request);
    const cluster = clusterNameOf(request.cluster ?? this.defaultCluster);
    await this.requireCluster(cluster);
    const count = request.count ?? 1;
    const td = await this.resolveTaskDefinition(request.taskDefinition);
    if (td.object.status !== 'ACTIVE') {
      throw new BatonApiError(
        'ClientException',
        `TaskDefinition ${request.taskDefinition} is ${td.object.status}.`,
      );
    }
    this.requireAllowed(td.object);
    const states = this.clusterStates;
    const state = states.state(cluster);
    const plan = planRunTask(
      {
        cluster,
        taskDefinition: td.object,
        count,
        ...(request.group ? { group: request.group } : {}),
        ...(request.startedBy ? { startedBy: request.startedBy } : {}),
        ...(request.placementConstraints ? { placementConstraints: request.placementConstraints } : {}),
        ...(request.placementStrategy ? { placementStrategy: request.placementStrategy } : {}),
        ...(request.networkConfiguration ? { networkConfiguration: request.networkConfiguration } : {}),
      },
      state,
      { now: this.clock.now(), random: this.random, arn: this.arnContext },
    );
    if (plan.tasks.length > 0) {
      const assumption = states.assume(cluster, plan.tasks);
      try {
        await this.store.commit(
          plan.tasks.map((t) => ({ op: 'create' as const, kind: 'Task' as const, object: t })),
        );
      } catch (error) {
        states.forget(assumption);
        throw error;
      }
    }
    return { plan, taskDefinitionArn: td.object.taskDefinitionArn ?? request.taskDefinition };
  }

  async stopTask(request: {
    readonly cluster?: string;
    readonly task: string;
    readonly reason?: string;
  }): Promise<Task> {
    checkRequest('stopTask', request);
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
    checkRequest('describeTasks', request);
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
    checkRequest('listTasks', request);
    const cluster = clusterNameOf(request.cluster ?? this.defaultCluster);
    await this.requireCluster(cluster);
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
}

/**
 * The service with the deployment an update starts, by the service scheduler's own rule
 * (ensurePrimaryDeployment): a task definition other than the PRIMARY's, or `force`, makes a new
 * PRIMARY and the previous one ACTIVE; anything else leaves the deployments as they are. The
 * scheduler then finds its PRIMARY and has nothing to create.
 */
export function withNewDeployment(
  service: Service,
  force: boolean,
  now: number,
  random: RandomSource,
): Service {
  const { deployments, created } = ensurePrimaryDeployment(
    service.deployments,
    service.taskDefinition,
    service.desiredCount ?? 0,
    now,
    random,
    force,
  );
  if (!created) return service;
  const { forceNewDeploymentRequestedAt: _served, ...rest } = service;
  return { ...rest, deployments };
}

/** A service as DescribeServices shows it (describedDeployments: no completed INACTIVE deployment). */
function describedService(service: Service): Service {
  const deployments = describedDeployments(service.deployments);
  return deployments === service.deployments ? service : { ...service, deployments: [...deployments] };
}
