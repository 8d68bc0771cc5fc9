import { ecsObject, ignored, show } from '@baton-ecs/model';
import { z } from 'zod';
import { intAtLeast, intBetween } from './fields.js';

/** ECS managed scaling: keep the provider's instances `targetCapacity` percent reserved. */
export const ManagedScaling = ecsObject({
  status: z.enum(['ENABLED', 'DISABLED']).default('ENABLED'),
  targetCapacity: intBetween(1, 100).default(100),
  minimumScalingStepSize: intBetween(1, 10000).default(1),
  maximumScalingStepSize: intBetween(1, 10000).default(10000),
  /** Seconds a new instance is given to register before it counts as capacity. */
  instanceWarmupPeriod: intBetween(0, 10000).default(300),
});
export type ManagedScaling = z.output<typeof ManagedScaling>;

export const defaultManagedScaling: ManagedScaling = {
  status: 'ENABLED',
  targetCapacity: 100,
  minimumScalingStepSize: 1,
  maximumScalingStepSize: 10000,
  instanceWarmupPeriod: 300,
};

/**
 * ECS's Auto Scaling group provider, where an InstanceProvider stands in for
 * the group. `minSize` / `maxSize` are Baton's: the group's own limits, which
 * ECS reads from the Auto Scaling group.
 */
export const AutoScalingGroupProvider = ecsObject({
  autoScalingGroupArn: z.string().optional(),
  managedScaling: ManagedScaling.default(defaultManagedScaling),
  minSize: intAtLeast(0).default(0),
  maxSize: intAtLeast(0).default(100),
  managedTerminationProtection: ignored('not-implemented'),
  managedDraining: ignored('not-implemented'),
});
export type AutoScalingGroupProvider = z.output<typeof AutoScalingGroupProvider>;

export const CapacityProvider = ecsObject({
  name: z.string().refine((v) => /^[A-Za-z0-9_-]{1,255}$/.test(v) && !/^(aws|ecs|fargate)/i.test(v), {
    error: (iss) =>
      `name must be 1–255 letters, digits, hyphens or underscores, not starting with aws, ecs or fargate (got ${show(iss.input)})`,
  }),
  autoScalingGroupProvider: AutoScalingGroupProvider,
  capacityProviderArn: z.string().optional(),
  status: z.enum(['ACTIVE', 'INACTIVE']).default('ACTIVE'),
  tags: ignored('aws-only'),
  updateStatus: ignored('output-only'),
  updateStatusReason: ignored('output-only'),
  type: ignored('output-only'),
  cluster: ignored('not-implemented'),
  managedInstancesProvider: ignored('aws-only'),
});
export type CapacityProvider = z.output<typeof CapacityProvider>;
export type CapacityProviderInput = z.input<typeof CapacityProvider>;
