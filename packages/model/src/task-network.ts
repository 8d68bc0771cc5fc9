import { z } from 'zod';
import { ecsObject, ignored, KeyValuePair } from './fields.js';

/**
 * ECS's `awsvpcConfiguration` (RunTask, CreateService): the subnets a task's network interface may go
 * in. Baton stands in a Docker network per subnet id (docs/workloads.md); security groups and public
 * IPs are VPC features, kept and reported as AWS-only.
 */
export const AwsVpcConfiguration = ecsObject({
  subnets: z.array(z.string().min(1)).min(1).max(16),
  securityGroups: ignored('aws-only'),
  assignPublicIp: ignored('aws-only'),
});
export type AwsVpcConfiguration = z.output<typeof AwsVpcConfiguration>;

export const NetworkConfiguration = ecsObject({
  awsvpcConfiguration: AwsVpcConfiguration.optional(),
});
export type NetworkConfiguration = z.output<typeof NetworkConfiguration>;

/**
 * A task attachment, as DescribeTasks shows it. An awsvpc task has one of type
 * `ElasticNetworkInterface` whose details name its subnet and, once attached, its address.
 */
export const Attachment = ecsObject({
  id: z.string().min(1),
  type: z.string().min(1),
  status: z.string().min(1),
  details: z.array(KeyValuePair).default([]),
});
export type Attachment = z.output<typeof Attachment>;

/** A container's address on its task's network interface (DescribeTasks' `containers[].networkInterfaces`). */
export const NetworkInterface = ecsObject({
  attachmentId: z.string().optional(),
  privateIpv4Address: z.string().optional(),
  ipv6Address: z.string().optional(),
});
export type NetworkInterface = z.output<typeof NetworkInterface>;

/** The subnet an awsvpc task was given (its ENI attachment's `subnetId`), if any. */
export function taskSubnetId(task: {
  readonly attachments?: readonly Attachment[] | undefined;
}): string | undefined {
  const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
  return eni?.details.find((d) => d.name === 'subnetId')?.value;
}
