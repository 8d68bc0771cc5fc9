import { z } from 'zod';
import { clusterNameOf } from './arn.js';
import { ecsName, ecsObject, ignored, intAtLeast, intBetween, Tag, Timestamp } from './fields.js';
import { countWithinQuota, ecsLimits } from './limits.js';
import { PlacementConstraint, PlacementStrategy } from './placement.js';
import { NetworkConfiguration } from './task-network.js';

export const SchedulingStrategy = z.enum(['REPLICA', 'DAEMON']);
export type SchedulingStrategy = z.output<typeof SchedulingStrategy>;

export const LaunchType = z.enum(['EC2', 'FARGATE', 'EXTERNAL']);
export type LaunchType = z.output<typeof LaunchType>;

export const DeploymentCircuitBreaker = ecsObject({
  enable: z.boolean().default(false),
  rollback: z.boolean().default(false),
  /**
   * ECS's current API (DeploymentCircuitBreaker.resetOnHealthyTask): a task that reaches a healthy
   * state resets the failure count to 0. Absent means the documented default, true.
   */
  resetOnHealthyTask: z.boolean().optional(),
});
export type DeploymentCircuitBreaker = z.output<typeof DeploymentCircuitBreaker>;

/**
 * Percentages are optional here: their defaults depend on the scheduling
 * strategy (REPLICA 100/200, DAEMON 0/100) and are filled in by parseService.
 */
export const DeploymentConfiguration = ecsObject({
  minimumHealthyPercent: intBetween(0, 100).optional(),
  maximumPercent: intBetween(100, 2000).optional(),
  deploymentCircuitBreaker: DeploymentCircuitBreaker.default({ enable: false, rollback: false }),
  alarms: ignored('aws-only'),
  strategy: ignored('not-implemented'),
  bakeTimeInMinutes: ignored('not-implemented'),
  lifecycleHooks: ignored('aws-only'),
});
export type DeploymentConfiguration = z.output<typeof DeploymentConfiguration>;

export const LoadBalancer = ecsObject({
  targetGroupArn: z.string().min(1).optional(),
  loadBalancerName: z.string().optional(),
  containerName: z.string().min(1),
  containerPort: intBetween(1, 65535),
});
export type LoadBalancer = z.output<typeof LoadBalancer>;

export const DeploymentStatus = z.enum(['PRIMARY', 'ACTIVE', 'INACTIVE']);
export type DeploymentStatus = z.output<typeof DeploymentStatus>;

export const RolloutState = z.enum(['IN_PROGRESS', 'COMPLETED', 'FAILED']);
export type RolloutState = z.output<typeof RolloutState>;

/**
 * A container's image as a deployment runs it (ECS's ContainerImage, which ECS shows on a service
 * revision): the task definition's reference and the digest it was resolved to when the deployment
 * was created. No `imageDigest`: the image is not resolved (not on a registry Baton resolves).
 */
export const ContainerImage = ecsObject({
  containerName: z.string().min(1),
  image: z.string().min(1),
  imageDigest: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/)
    .optional(),
});
export type ContainerImage = z.output<typeof ContainerImage>;

/** One deployment of a service: the set of tasks started from one task definition. */
export const Deployment = ecsObject({
  id: z.string().min(1),
  status: DeploymentStatus,
  taskDefinition: z.string().min(1),
  desiredCount: intAtLeast(0).default(0),
  pendingCount: intAtLeast(0).default(0),
  runningCount: intAtLeast(0).default(0),
  failedTasks: intAtLeast(0).default(0),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  rolloutState: RolloutState.default('IN_PROGRESS'),
  rolloutStateReason: z.string().optional(),
  launchType: LaunchType.optional(),
  /** Baton: circuit breaker stage 1 — tasks that stopped before reaching RUNNING. */
  launchFailures: intAtLeast(0).optional(),
  /** Baton: circuit breaker stage 2 — tasks that failed health checks or exited after running. */
  healthFailures: intAtLeast(0).optional(),
  /** Baton: the circuit breaker's stage — 2 once any task of the deployment has run. */
  breakerStage: z.union([z.literal(1), z.literal(2)]).optional(),
  /** Baton: stoppedAt of the newest failed task already counted (counts survive task retention). */
  failuresCountedThrough: z.number().optional(),
  /**
   * Baton: the failed tasks already counted that stopped shortly before `failuresCountedThrough`: a task
   * reported after another that stopped at the same moment or a little later is still counted, once.
   */
  failuresCountedRecently: z.array(z.object({ taskId: z.string(), stoppedAt: z.number() })).optional(),
  /**
   * Baton: each container's image resolved to a digest once, when the deployment was created, so every
   * task of the deployment runs the same image even if a tag moves (ECS's software version
   * consistency; ECS shows the same list on the service revision). Absent: not resolved (yet).
   */
  containerImages: z.array(ContainerImage).optional(),
  /** Baton: ids of the deployment's tasks that were healthy at the last pass (resetOnHealthyTask). */
  healthyTaskIds: z.array(z.string()).optional(),
  networkConfiguration: ignored('aws-only'),
  platformVersion: ignored('aws-only'),
  platformFamily: ignored('aws-only'),
  capacityProviderStrategy: ignored('not-implemented'),
  serviceConnectConfiguration: ignored('aws-only'),
  serviceConnectResources: ignored('aws-only'),
  volumeConfigurations: ignored('aws-only'),
  fargateEphemeralStorage: ignored('aws-only'),
  vpcLatticeConfigurations: ignored('aws-only'),
  // Counts DescribeServices prints on deployments; Baton keeps its own (failedTasks, launchFailures).
  failedLaunchTaskCount: ignored('output-only'),
  replacedTaskCount: ignored('output-only'),
  runningTaskCount: ignored('output-only'),
  pendingTaskCount: ignored('output-only'),
  requestedTaskCount: ignored('output-only'),
});
export type Deployment = z.output<typeof Deployment>;

export const ServiceEvent = ecsObject({
  id: z.string().min(1),
  createdAt: Timestamp,
  /** ECS's wording, intact, so tools that match ECS's text still match. */
  message: z.string(),
  /** Baton: its own detail beside ECS's sentence (e.g. a placement failure's per-filter breakdown). */
  detail: z.string().optional(),
});
export type ServiceEvent = z.output<typeof ServiceEvent>;

export const ServiceStatus = z.enum(['ACTIVE', 'DRAINING', 'INACTIVE']);
export type ServiceStatus = z.output<typeof ServiceStatus>;

export const DeploymentController = ecsObject({
  type: z.enum(['ECS', 'CODE_DEPLOY', 'EXTERNAL']).default('ECS'),
});

/**
 * A service, in the shape of ECS's CreateService request and DescribeServices
 * output at once: user-owned fields first, then the status ECS reports.
 */
const ServiceObject = ecsObject({
  serviceName: ecsName('serviceName'),
  cluster: z.string().min(1).default('default'),
  taskDefinition: z.string().min(1),
  desiredCount: countWithinQuota(ecsLimits.tasksPerService, 'tasks per service').optional(),
  schedulingStrategy: SchedulingStrategy.default('REPLICA'),
  launchType: LaunchType.default('EC2'),
  deploymentConfiguration: DeploymentConfiguration.default({
    deploymentCircuitBreaker: { enable: false, rollback: false },
  }),
  deploymentController: DeploymentController.optional(),
  placementConstraints: z.array(PlacementConstraint).max(10).default([]),
  placementStrategy: z.array(PlacementStrategy).max(5).default([]),
  loadBalancers: z.array(LoadBalancer).max(5).default([]),
  healthCheckGracePeriodSeconds: intBetween(0, 2147483647).optional(),
  propagateTags: z.enum(['TASK_DEFINITION', 'SERVICE', 'NONE']).optional(),
  availabilityZoneRebalancing: z.enum(['ENABLED', 'DISABLED']).optional(),
  tags: z.array(Tag).max(50).default([]),
  // Status, as DescribeServices reports it.
  serviceArn: z.string().optional(),
  clusterArn: z.string().optional(),
  status: ServiceStatus.default('ACTIVE'),
  runningCount: intAtLeast(0).default(0),
  pendingCount: intAtLeast(0).default(0),
  deployments: z.array(Deployment).default([]),
  events: z.array(ServiceEvent).default([]),
  createdAt: Timestamp.optional(),
  /** Baton: stoppedAt of the newest task failure already reported in the events. */
  failuresReportedThrough: z.number().optional(),
  /** Baton: the task failures already reported that stopped shortly before `failuresReportedThrough`. */
  failuresReportedRecently: z.array(z.object({ taskId: z.string(), stoppedAt: z.number() })).optional(),
  /**
   * Baton: a forceNewDeployment request not yet served. UpdateService now starts the deployment in
   * the call and leaves this unset; a record written by an older Baton may still carry it, and the
   * service scheduler then starts the deployment (a new PRIMARY) on its next pass and clears it.
   */
  forceNewDeploymentRequestedAt: z.number().optional(),
  /**
   * Baton: the launch back-off after tasks keep failing to start (ECS's service throttle logic).
   * Kept with the service, so it survives the stopped tasks that taught it; a new task definition
   * resets it.
   */
  launchThrottle: ecsObject({
    taskDefinition: z.string(),
    consecutiveFailures: intAtLeast(0),
    nextLaunchAt: z.number().optional(),
    /** The newest task event (a launch failure's stoppedAt, a start's startedAt) already counted. */
    countedThrough: z.number().optional(),
    /** The consecutive failures before `recentEvents` (events older than the late-report window). */
    baseFailures: intAtLeast(0).optional(),
    /** The back-off as of `baseFailures`. */
    baseNextLaunchAt: z.number().optional(),
    /** The events counted within the late-report window, so one reported late is counted once, in order. */
    recentEvents: z.array(z.object({ taskId: z.string(), at: z.number(), failed: z.boolean() })).optional(),
  }).optional(),
  capacityProviderStrategy: ignored('not-implemented'),
  serviceRegistries: ignored('aws-only'),
  /** awsvpc: the subnets of the service's tasks (docs/workloads.md). */
  networkConfiguration: NetworkConfiguration.optional(),
  platformVersion: ignored('aws-only'),
  platformFamily: ignored('aws-only'),
  role: ignored('aws-only'),
  roleArn: ignored('aws-only'),
  clientToken: ignored('aws-only'),
  enableECSManagedTags: ignored('aws-only'),
  enableExecuteCommand: ignored('aws-only'),
  serviceConnectConfiguration: ignored('aws-only'),
  volumeConfigurations: ignored('aws-only'),
  vpcLatticeConfigurations: ignored('aws-only'),
  taskSets: ignored('output-only'),
  createdBy: ignored('output-only'),
  currentServiceDeployment: ignored('output-only'),
  currentServiceRevisions: ignored('output-only'),
  resourceManagementType: ignored('output-only'),
});

/** DescribeServices names the cluster only by ARN; take the name from it. */
export const Service = z.preprocess((input) => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const s = input as Record<string, unknown>;
  if (s.cluster === undefined && typeof s.clusterArn === 'string')
    return { ...s, cluster: clusterNameOf(s.clusterArn) };
  return input;
}, ServiceObject);
export type Service = z.output<typeof Service>;
export type ServiceInput = z.input<typeof Service>;

/** The deployment percentages with the strategy's defaults filled in. */
export function deploymentLimits(service: Pick<Service, 'schedulingStrategy' | 'deploymentConfiguration'>): {
  minimumHealthyPercent: number;
  maximumPercent: number;
} {
  const daemon = service.schedulingStrategy === 'DAEMON';
  return {
    minimumHealthyPercent: service.deploymentConfiguration.minimumHealthyPercent ?? (daemon ? 0 : 100),
    maximumPercent: service.deploymentConfiguration.maximumPercent ?? (daemon ? 100 : 200),
  };
}
