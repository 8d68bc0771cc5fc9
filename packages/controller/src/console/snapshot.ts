import {
  type Cluster,
  type ContainerInstance,
  clusterNameOf,
  type InstanceResource,
  type Service,
  type Task,
} from '@baton-ecs/model';
import { circuitBreakerThreshold } from '@baton-ecs/reconciler';
import type {
  ClusterView,
  ConsoleSnapshot,
  DeploymentView,
  EventView,
  InstanceView,
  ServiceView,
  TaskView,
} from './wire.js';

/** What the engines' stats say an instance's tasks use now (CPU units, MiB). */
export interface InstanceUsage {
  readonly cpuUnits: number;
  readonly memoryMiB: number;
}

export interface SnapshotInputs {
  readonly now: number;
  readonly clusters: readonly Cluster[];
  readonly instances: readonly ContainerInstance[];
  readonly services: readonly Service[];
  readonly tasks: readonly Task[];
  readonly usage: ReadonlyMap<string, InstanceUsage>;
  /** STOPPED tasks kept per cluster, newest first (the page needs the recent ones, not an hour's worth). */
  readonly stoppedTasksPerCluster?: number;
  readonly eventsPerService?: number;
  /** A service's scaling activities, newest first, by `cluster/service` (absent: none). */
  readonly scalingActivities?: ReadonlyMap<string, readonly ScalingActivityInput[]>;
  readonly activitiesPerService?: number;
}

/** The fields of an AAS ScalingActivity the console shows. */
export interface ScalingActivityInput {
  readonly ActivityId: string;
  readonly Description: string;
  readonly Cause: string;
  readonly StartTime: number;
  readonly StatusCode: string;
  readonly StatusMessage?: string;
}

/** The console's picture of everything Baton runs, from the caches' current objects. */
export function consoleSnapshot(inputs: SnapshotInputs): ConsoleSnapshot {
  const names = new Set(inputs.clusters.filter((c) => c.status !== 'INACTIVE').map((c) => c.clusterName));
  const clusters: ClusterView[] = [...names].sort().map((name) => {
    const cluster = inputs.clusters.find((c) => c.clusterName === name)!;
    const instances = inputs.instances
      .filter((i) => clusterNameOf(i.containerInstanceArn) === name && i.status !== 'INACTIVE')
      .map((i) => instanceView(i, inputs.usage.get(i.containerInstanceArn)))
      .sort((a, b) => a.id.localeCompare(b.id));
    const instanceIds = new Map(
      inputs.instances.map((i) => [i.containerInstanceArn, i.ec2InstanceId] as const),
    );
    const services = inputs.services
      .filter((s) => s.cluster === name && s.status !== 'INACTIVE')
      .map((s) =>
        serviceView(
          s,
          inputs.eventsPerService ?? 8,
          (inputs.scalingActivities?.get(`${s.cluster}/${s.serviceName}`) ?? []).slice(
            0,
            inputs.activitiesPerService ?? 5,
          ),
        ),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    const clusterTasks = inputs.tasks.filter((t) => clusterNameOf(t.clusterArn) === name);
    const live = clusterTasks.filter((t) => t.lastStatus !== 'STOPPED');
    const stopped = clusterTasks
      .filter((t) => t.lastStatus === 'STOPPED')
      .sort((a, b) => (b.stoppedAt ?? 0) - (a.stoppedAt ?? 0))
      .slice(0, inputs.stoppedTasksPerCluster ?? 20);
    const tasks = [...live.sort((a, b) => (a.group ?? '').localeCompare(b.group ?? '')), ...stopped].map(
      (t) => taskView(t, name, instanceIds),
    );
    return { name, status: cluster.status, instances, services, tasks };
  });
  return { at: inputs.now, clusters };
}

function resource(list: readonly InstanceResource[], name: string): number {
  const r = list.find((x) => x.name === name);
  return r?.integerValue ?? r?.longValue ?? r?.doubleValue ?? 0;
}

function instanceView(i: ContainerInstance, usage: InstanceUsage | undefined): InstanceView {
  const figures = (name: 'CPU' | 'MEMORY', used: number | undefined) => {
    const registered = resource(i.registeredResources, name);
    return { registered, reserved: registered - resource(i.remainingResources, name), used: used ?? null };
  };
  return {
    arn: i.containerInstanceArn,
    id: i.ec2InstanceId,
    status: i.status,
    agentConnected: i.agentConnected,
    zone: i.attributes.find((a) => a.name === 'ecs.availability-zone')?.value ?? null,
    cpu: figures('CPU', usage?.cpuUnits),
    memory: figures('MEMORY', usage?.memoryMiB),
    runningTasks: i.runningTasksCount,
    pendingTasks: i.pendingTasksCount,
  };
}

/** `arn:…:task-definition/web:3` → `web:3`. */
export function shortTaskDefinition(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

const PLACEMENT_FAILURE = /was unable to place (a task|tasks)/;

function serviceView(
  s: Service,
  eventCount: number,
  activities: readonly ScalingActivityInput[],
): ServiceView {
  const deployments: DeploymentView[] = s.deployments.map((d) => ({
    id: d.id,
    status: d.status,
    taskDefinition: shortTaskDefinition(d.taskDefinition),
    desired: d.desiredCount,
    pending: d.pendingCount,
    running: d.runningCount,
    failed: d.failedTasks,
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason ?? null,
  }));
  const primary = s.deployments.find((d) => d.status === 'PRIMARY');
  const cb = s.deploymentConfiguration.deploymentCircuitBreaker;
  const desired = s.desiredCount ?? 0;
  const events: EventView[] = s.events.slice(0, eventCount).map((e) => ({
    id: e.id,
    at: e.createdAt,
    cluster: s.cluster,
    service: s.serviceName,
    message: e.message,
  }));
  // A placement failure explains the service while it is still short and nothing newer says otherwise.
  const latest = s.events[0];
  const short = s.runningCount + s.pendingCount < desired;
  const unplaced = short && latest && PLACEMENT_FAILURE.test(latest.message) ? latest.message : null;
  return {
    key: `${s.cluster}/${s.serviceName}`,
    arn: s.serviceArn ?? s.serviceName,
    name: s.serviceName,
    cluster: s.cluster,
    status: s.status,
    taskDefinition: shortTaskDefinition(primary?.taskDefinition ?? s.taskDefinition),
    desired,
    pending: s.pendingCount,
    running: s.runningCount,
    deployments,
    breaker: cb.enable
      ? {
          rollback: cb.rollback,
          failures: primary?.failedTasks ?? 0,
          threshold: circuitBreakerThreshold(primary?.desiredCount ?? desired),
          tripped: primary?.rolloutState === 'FAILED',
        }
      : null,
    unplaced,
    events,
    scaling: activities.map((a) => ({
      id: a.ActivityId,
      at: a.StartTime,
      description: a.Description,
      cause: a.Cause,
      status: a.StatusCode,
      statusMessage: a.StatusMessage ?? null,
    })),
  };
}

function taskView(t: Task, cluster: string, instanceIds: ReadonlyMap<string, string>): TaskView {
  const ports = t.containers.flatMap((c) =>
    c.networkBindings.map(
      (b) => `${b.bindIP ?? '0.0.0.0'}:${b.hostPort ?? '?'}→${b.containerPort ?? '?'}/${b.protocol ?? 'tcp'}`,
    ),
  );
  return {
    arn: t.taskArn,
    id: t.taskArn.slice(t.taskArn.lastIndexOf('/') + 1),
    cluster,
    group: t.group ?? t.startedBy ?? null,
    taskDefinition: shortTaskDefinition(t.taskDefinitionArn),
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    health: t.healthStatus,
    instanceId: t.containerInstanceArn ? (instanceIds.get(t.containerInstanceArn) ?? null) : null,
    ports,
    stopCode: t.stopCode ?? null,
    stoppedReason: t.stoppedReason ?? null,
    startedAt: t.startedAt ?? null,
    stoppedAt: t.stoppedAt ?? null,
    containers: t.containers.map((c) => ({
      name: c.name,
      lastStatus: c.lastStatus,
      health: c.healthStatus,
      exitCode: c.exitCode ?? null,
      reason: c.reason ?? null,
    })),
  };
}
