import {
  type ArnContext,
  arns,
  attributeValue,
  defaultArnContext,
  type Task,
  type TaskDefinition,
} from '@baton-ecs/model';
import type { SchedulerInstance } from '@baton-ecs/scheduler';

/** A new Task record, placed on an instance, before any container exists. */
export function newTask(args: {
  readonly cluster: string;
  readonly taskId: string;
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
}): Task {
  const ctx = args.arn ?? defaultArnContext;
  const taskArn = arns.task(args.cluster, args.taskId, ctx);
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
    createdAt: args.now,
    ...(args.activationHolds && args.activationHolds.length > 0
      ? { activationHolds: [...args.activationHolds] }
      : {}),
    version: 1,
    tags: [],
  };
}
