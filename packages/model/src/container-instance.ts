import { z } from 'zod';
import { ecsObject, ignored, intAtLeast, Tag, Timestamp } from './fields.js';

/** ECS resource record: CPU (units), MEMORY (MiB), PORTS / PORTS_UDP (string sets). */
export const InstanceResource = ecsObject({
  name: z.string().min(1),
  type: z.enum(['INTEGER', 'LONG', 'DOUBLE', 'STRINGSET']),
  integerValue: z.number().int().optional(),
  longValue: z.number().int().optional(),
  doubleValue: z.number().optional(),
  stringSetValue: z.array(z.string()).optional(),
});
export type InstanceResource = z.output<typeof InstanceResource>;

export const Attribute = ecsObject({
  name: z.string().min(1).max(128),
  value: z.string().max(128).optional(),
  targetType: z.literal('container-instance').optional(),
  targetId: z.string().optional(),
});
export type Attribute = z.output<typeof Attribute>;

export const ContainerInstanceStatus = z.enum([
  'REGISTERING',
  'REGISTRATION_FAILED',
  'ACTIVE',
  'DRAINING',
  'DEREGISTERING',
  'INACTIVE',
]);
export type ContainerInstanceStatus = z.output<typeof ContainerInstanceStatus>;

/**
 * A container instance: in Baton, one Docker engine. `ec2InstanceId` is
 * Baton's own instance id (ECS's query language calls it that).
 */
export const ContainerInstance = ecsObject({
  containerInstanceArn: z.string().min(1),
  ec2InstanceId: z.string().min(1),
  /** Baton: the engine's endpoint (`unix:///var/run/docker.sock`, `tcp://127.0.0.1:2375`). */
  engineEndpoint: z.string().optional(),
  status: ContainerInstanceStatus.default('ACTIVE'),
  statusReason: z.string().optional(),
  agentConnected: z.boolean().default(true),
  /** Baton: when the engine stopped answering (set with agentConnected=false), for the lost-instance rule. */
  agentDisconnectedAt: Timestamp.optional(),
  registeredResources: z.array(InstanceResource).default([]),
  remainingResources: z.array(InstanceResource).default([]),
  attributes: z.array(Attribute).default([]),
  runningTasksCount: intAtLeast(0).default(0),
  pendingTasksCount: intAtLeast(0).default(0),
  registeredAt: Timestamp.optional(),
  versionInfo: ecsObject({
    agentVersion: z.string().optional(),
    agentHash: z.string().optional(),
    dockerVersion: z.string().optional(),
  }).optional(),
  version: z.number().int().optional(),
  tags: z.array(Tag).default([]),
  capacityProviderName: ignored('not-implemented'),
  agentUpdateStatus: ignored('aws-only'),
  attachments: ignored('aws-only'),
  healthStatus: ignored('not-implemented'),
});
export type ContainerInstance = z.output<typeof ContainerInstance>;
export type ContainerInstanceInput = z.input<typeof ContainerInstance>;

/** Reads an INTEGER resource (CPU, MEMORY) by name; 0 when absent. */
export function resourceInteger(resources: readonly InstanceResource[], name: string): number {
  const r = resources.find((x) => x.name === name);
  return r?.integerValue ?? r?.longValue ?? 0;
}

/** Reads a STRINGSET resource (PORTS, PORTS_UDP) by name. */
export function resourceStringSet(resources: readonly InstanceResource[], name: string): readonly string[] {
  return resources.find((x) => x.name === name)?.stringSetValue ?? [];
}

/** The value of an instance attribute, or undefined when it is absent. */
export function attributeValue(
  instance: Pick<ContainerInstance, 'attributes'>,
  name: string,
): string | undefined {
  const a = instance.attributes.find((x) => x.name === name);
  return a === undefined ? undefined : (a.value ?? '');
}
