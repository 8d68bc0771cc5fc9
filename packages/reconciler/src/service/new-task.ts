import {
  type ArnContext,
  type Attachment,
  arns,
  attributeValue,
  defaultArnContext,
  type NetworkConfiguration,
  type Task,
  type TaskDefinition,
} from '@baton-ecs/model';
import type { SchedulerInstance } from '@baton-ecs/scheduler';

/** A new Task record, placed on an instance, before any container exists. */
export function newTask(args: {
  readonly cluster: string;
  readonly taskId: string;
  /** The task's ARN when the caller already built it (arns.task(cluster, taskId, arn)). */
  readonly taskArn?: string;
  /** `service:<name>` for a service's tasks, `family:<family>` by default for RunTask. */
  readonly group: string;
  /** The deployment id for a service's tasks. */
  readonly startedBy?: string;
  readonly taskDefinitionArn: string;
  readonly taskDefinition: TaskDefinition;
  readonly instance: Pick<SchedulerInstance, 'containerInstanceArn' | 'attributes'>;
  readonly now: number;
  readonly arn?: ArnContext;
  /** Target groups to register with while ACTIVATING (the service's load balancers). */
  readonly activationHolds?: readonly string[];
  /** awsvpc: the subnets the task's network interface may go in (RunTask's or the service's). */
  readonly networkConfiguration?: NetworkConfiguration;
}): Task {
  const ctx = args.arn ?? defaultArnContext;
  const taskArn = args.taskArn ?? arns.task(args.cluster, args.taskId, ctx);
  const zone = attributeValue(args.instance, 'ecs.availability-zone');
  return {
    taskArn,
    clusterArn: arns.cluster(args.cluster, ctx),
    taskDefinitionArn: args.taskDefinitionArn,
    containerInstanceArn: args.instance.containerInstanceArn,
    ...(zone ? { availabilityZone: zone } : {}),
    group: args.group,
    ...(args.startedBy ? { startedBy: args.startedBy } : {}),
    launchType: 'EC2',
    overrides: { containerOverrides: [] },
    ...(args.taskDefinition.cpu ? { cpu: args.taskDefinition.cpu } : {}),
    ...(args.taskDefinition.memory ? { memory: args.taskDefinition.memory } : {}),
    desiredStatus: 'RUNNING',
    lastStatus: 'PROVISIONING',
    healthStatus: 'UNKNOWN',
    containers: args.taskDefinition.containerDefinitions.map((c) => ({
      name: c.name,
      taskArn,
      image: c.image,
      lastStatus: 'PENDING' as const,
      healthStatus: 'UNKNOWN' as const,
      networkBindings: [],
    })),
    ...(args.taskDefinition.networkMode === 'awsvpc'
      ? { attachments: [eniAttachment(args.taskId, args.networkConfiguration)] }
      : {}),
    createdAt: args.now,
    ...(args.activationHolds && args.activationHolds.length > 0
      ? { activationHolds: [...args.activationHolds] }
      : {}),
    version: 1,
    tags: [],
  };
}

/** The subnet used when an awsvpc task names none (Baton's lenience; ECS requires networkConfiguration). */
export const defaultSubnetId = 'default';

/**
 * An awsvpc task's network interface before the agent attaches it (ECS's PRECREATED attachment): its
 * id and subnet. The subnet is one of the configured ones, chosen by the task id so tasks spread over
 * them deterministically.
 */
export function eniAttachment(taskId: string, config: NetworkConfiguration | undefined): Attachment {
  const subnets = config?.awsvpcConfiguration?.subnets ?? [defaultSubnetId];
  let h = 0;
  for (const ch of taskId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const subnetId = subnets[h % subnets.length] ?? defaultSubnetId;
  const hex = taskId.replace(/[^0-9a-f]/g, '').padEnd(32, '0');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return {
    id,
    type: 'ElasticNetworkInterface',
    status: 'PRECREATED',
    details: [{ name: 'subnetId', value: subnetId }],
  };
}
