import { ecsObject, ignored, Timestamp } from '@baton-ecs/model';
import { z } from 'zod';
import { intAtLeast, ResourceId, ScalableDimension, ServiceNamespace } from './fields.js';

/** Which kinds of scaling are paused: AAS's SuspendedState. */
export const SuspendedState = ecsObject({
  DynamicScalingInSuspended: z.boolean().default(false),
  DynamicScalingOutSuspended: z.boolean().default(false),
  ScheduledScalingSuspended: z.boolean().default(false),
});
export type SuspendedState = z.output<typeof SuspendedState>;

export const notSuspended: SuspendedState = {
  DynamicScalingInSuspended: false,
  DynamicScalingOutSuspended: false,
  ScheduledScalingSuspended: false,
};

/**
 * A service registered for scaling, as RegisterScalableTarget takes it and
 * DescribeScalableTargets prints it: the desired count moves within
 * [MinCapacity, MaxCapacity].
 */
export const ScalableTarget = ecsObject({
  ServiceNamespace,
  ResourceId,
  ScalableDimension,
  MinCapacity: intAtLeast(0),
  MaxCapacity: intAtLeast(0),
  SuspendedState: SuspendedState.default(notSuspended),
  RoleARN: ignored('aws-only'),
  Tags: ignored('aws-only'),
  ScalableTargetARN: ignored('output-only'),
  CreationTime: Timestamp.optional(),
  PredictedCapacity: ignored('output-only'),
});
export type ScalableTarget = z.output<typeof ScalableTarget>;
export type ScalableTargetInput = z.input<typeof ScalableTarget>;
