import { z } from 'zod';
import { TransportProtocol } from './container-definition.js';
import { ecsObject, ignored, intAtLeast, KeyValuePair, Tag, Timestamp } from './fields.js';
import { LaunchType } from './service.js';
import { Attachment, NetworkInterface } from './task-network.js';

/**
 * A task's life, in ECS's order. `lastStatus` only moves forward along it;
 * `desiredStatus` is RUNNING or STOPPED.
 */
export const taskStatuses = [
  'PROVISIONING',
  'PENDING',
  'ACTIVATING',
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
] as const;
export const TaskStatus = z.enum(taskStatuses);
export type TaskStatus = z.output<typeof TaskStatus>;

const statusRank = Object.fromEntries(taskStatuses.map((s, i) => [s, i])) as Record<TaskStatus, number>;

/** Position of a status in the lifecycle, for "at least RUNNING" style comparisons. */
export function taskStatusRank(status: TaskStatus): number {
  return statusRank[status];
}

export const DesiredTaskStatus = z.enum(['RUNNING', 'STOPPED']);
export type DesiredTaskStatus = z.output<typeof DesiredTaskStatus>;

export const HealthStatus = z.enum(['HEALTHY', 'UNHEALTHY', 'UNKNOWN']);
export type HealthStatus = z.output<typeof HealthStatus>;

/**
 * Every value of the ECS API's TaskStopCode (API reference, Task.stopCode; developer guide
 * "Amazon ECS stopped task error codes"). Baton uses InfrastructureHealth for tasks on a container
 * instance it lost; SpotInterruption and TerminationNotice are EC2's and are only ever read back.
 */
export const taskStopCodes = [
  'TaskFailedToStart',
  'EssentialContainerExited',
  'UserInitiated',
  'ServiceSchedulerInitiated',
  'SpotInterruption',
  'TerminationNotice',
  'InfrastructureHealth',
] as const;
export const TaskStopCode = z.enum(taskStopCodes);
export type TaskStopCode = z.output<typeof TaskStopCode>;

export const NetworkBinding = ecsObject({
  bindIP: z.string().optional(),
  containerPort: z.number().int().optional(),
  hostPort: z.number().int().optional(),
  protocol: TransportProtocol.default('tcp'),
  containerPortRange: z.string().optional(),
  hostPortRange: z.string().optional(),
});
export type NetworkBinding = z.output<typeof NetworkBinding>;

export const ContainerStatus = z.enum(['PENDING', 'RUNNING', 'STOPPED']);
export type ContainerStatus = z.output<typeof ContainerStatus>;

/** A container of a task, as the agent observed it. */
export const Container = ecsObject({
  name: z.string().min(1),
  containerArn: z.string().optional(),
  taskArn: z.string().optional(),
  image: z.string().optional(),
  imageDigest: z.string().optional(),
  /** The engine's container id. */
  runtimeId: z.string().optional(),
  lastStatus: ContainerStatus.default('PENDING'),
  exitCode: z.number().int().optional(),
  reason: z.string().optional(),
  healthStatus: HealthStatus.default('UNKNOWN'),
  networkBindings: z.array(NetworkBinding).default([]),
  cpu: z.string().optional(),
  memory: z.string().optional(),
  memoryReservation: z.string().optional(),
  /** Baton: when the engine started and last saw it exit (epoch ms). */
  startedAt: Timestamp.optional(),
  finishedAt: Timestamp.optional(),
  /** Baton: restarts in place under the container's restartPolicy. */
  restartCount: intAtLeast(0).optional(),
  /** awsvpc: the container's address on its task's network interface. */
  networkInterfaces: z.array(NetworkInterface).optional(),
  managedAgents: ignored('aws-only'),
  gpuIds: ignored('not-implemented'),
});
export type Container = z.output<typeof Container>;

export const ContainerOverride = ecsObject({
  name: z.string().min(1),
  command: z.array(z.string()).optional(),
  environment: z.array(KeyValuePair).optional(),
  cpu: z.number().int().optional(),
  memory: z.number().int().optional(),
  memoryReservation: z.number().int().optional(),
  environmentFiles: ignored('aws-only'),
  resourceRequirements: ignored('not-implemented'),
});

export const TaskOverride = ecsObject({
  containerOverrides: z.array(ContainerOverride).default([]),
  cpu: z.string().optional(),
  memory: z.string().optional(),
  taskRoleArn: ignored('aws-only'),
  executionRoleArn: ignored('aws-only'),
  ephemeralStorage: ignored('aws-only'),
  inferenceAcceleratorOverrides: ignored('aws-only'),
});
export type TaskOverride = z.output<typeof TaskOverride>;

/** A task, in the shape of ECS's DescribeTasks output. */
export const Task = ecsObject({
  taskArn: z.string().min(1),
  clusterArn: z.string().min(1),
  taskDefinitionArn: z.string().min(1),
  containerInstanceArn: z.string().optional(),
  availabilityZone: z.string().optional(),
  /** `service:<name>` for a service's tasks; the family by default for RunTask. */
  group: z.string().optional(),
  /** The deployment id for a service's tasks; free text for RunTask. */
  startedBy: z.string().optional(),
  launchType: LaunchType.default('EC2'),
  overrides: TaskOverride.default({ containerOverrides: [] }),
  cpu: z.string().optional(),
  memory: z.string().optional(),
  desiredStatus: DesiredTaskStatus.default('RUNNING'),
  lastStatus: TaskStatus.default('PROVISIONING'),
  healthStatus: HealthStatus.default('UNKNOWN'),
  containers: z.array(Container).default([]),
  stopCode: TaskStopCode.optional(),
  stoppedReason: z.string().optional(),
  createdAt: Timestamp.optional(),
  pullStartedAt: Timestamp.optional(),
  pullStoppedAt: Timestamp.optional(),
  startedAt: Timestamp.optional(),
  stoppingAt: Timestamp.optional(),
  executionStoppedAt: Timestamp.optional(),
  stoppedAt: Timestamp.optional(),
  connectivity: z.enum(['CONNECTED', 'DISCONNECTED']).optional(),
  connectivityAt: Timestamp.optional(),
  /**
   * Baton: target groups the task must be registered with before it is reported RUNNING; the agent
   * holds it ACTIVATING until the target-group controller has registered it and removed the entry.
   */
  activationHolds: z.array(z.string()).optional(),
  /**
   * Baton: target groups the task is registered with; when it stops, the agent holds it DEACTIVATING
   * (no signal sent) until each has deregistered and drained it and removed its entry.
   */
  deactivationHolds: z.array(z.string()).optional(),
  /** ECS's own per-task counter of status changes. */
  version: z.number().int().optional(),
  tags: z.array(Tag).default([]),
  /** awsvpc: the task's network interface (ECS's ENI attachment; a Docker network stands in, docs/workloads.md). */
  attachments: z.array(Attachment).optional(),
  attributes: ignored('output-only'),
  capacityProviderName: ignored('not-implemented'),
  enableExecuteCommand: ignored('aws-only'),
  ephemeralStorage: ignored('aws-only'),
  fargateEphemeralStorage: ignored('aws-only'),
  inferenceAccelerators: ignored('aws-only'),
  platformVersion: ignored('aws-only'),
  platformFamily: ignored('aws-only'),
});
export type Task = z.output<typeof Task>;
export type TaskInput = z.input<typeof Task>;
