import { createHash } from 'node:crypto';
import type { Baton } from '../baton.js';
import type { Operation } from './ecs-operations.js';
import { paginate } from './pagination.js';

const invalid = { code: 'ValidationException', tokenCode: 'InvalidNextTokenException' };
const limits = { default: 50, max: 50 };

type Input = Record<string, unknown>;

function page<T, K extends string>(key: K, items: readonly T[], keyOf: (t: T) => string, i: Input) {
  const p = paginate(
    items,
    keyOf,
    { nextToken: i.NextToken as string | undefined, maxResults: i.MaxResults as number | undefined },
    limits,
    invalid,
  );
  return { [key]: p.items, NextToken: p.nextToken } as Record<K | 'NextToken', unknown>;
}

/**
 * Application Auto Scaling's operations (`AnyScaleFrontendService`) over `baton.autoScaling`:
 * requests go to its methods as they are; this adds what only the wire has — the policy and
 * scheduled action ARNs (stable per resource and name), and NextToken/MaxResults pages (50 at most).
 */
export function aasOperations(baton: Baton): Readonly<Record<string, Operation>> {
  const aas = baton.autoScaling;
  const { partition, region, account } = baton.arnContext;
  const arnOf = (kind: 'scalingPolicy' | 'scheduledAction', resourceId: string, name: string) => {
    const id = createHash('sha256').update(`${kind}\u0000${resourceId}\u0000${name}`).digest('hex');
    const uuid = `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;
    const label = kind === 'scalingPolicy' ? 'policyName' : 'scheduledActionName';
    return `arn:${partition}:autoscaling:${region}:${account}:${kind}:${uuid}:resource/ecs/${resourceId}:${label}/${name}`;
  };
  const policyArn = (p: { ResourceId: string; PolicyName: string; PolicyARN?: string }) =>
    p.PolicyARN ?? arnOf('scalingPolicy', p.ResourceId, p.PolicyName);
  return {
    RegisterScalableTarget: async (i) => {
      await aas.registerScalableTarget(i);
      return {};
    },
    DescribeScalableTargets: async (i) =>
      page(
        'ScalableTargets',
        (await aas.describeScalableTargets(i as never)).ScalableTargets,
        (t) => t.ResourceId,
        i,
      ),
    DeregisterScalableTarget: async (i) => {
      await aas.deregisterScalableTarget(i as never);
      return {};
    },
    PutScalingPolicy: async (i) => {
      await aas.putScalingPolicy(i);
      return { PolicyARN: policyArn(i as never), Alarms: [] };
    },
    DescribeScalingPolicies: async (i) => {
      const { ScalingPolicies } = await aas.describeScalingPolicies(i as never);
      return page(
        'ScalingPolicies',
        ScalingPolicies.map((p) => ({ ...p, PolicyARN: policyArn(p), Alarms: [] })),
        (p) => `${p.ResourceId}\u0000${p.PolicyName}`,
        i,
      );
    },
    DeleteScalingPolicy: async (i) => {
      await aas.deleteScalingPolicy(i as never);
      return {};
    },
    PutScheduledAction: async (i) => {
      await aas.putScheduledAction(i);
      return {};
    },
    DescribeScheduledActions: async (i) => {
      const { ScheduledActions } = await aas.describeScheduledActions(i as never);
      return page(
        'ScheduledActions',
        ScheduledActions.map((a) => ({
          ...a,
          ScheduledActionARN: arnOf('scheduledAction', a.ResourceId, a.ScheduledActionName),
        })),
        (a) => `${a.ResourceId}\u0000${a.ScheduledActionName}`,
        i,
      );
    },
    DeleteScheduledAction: async (i) => {
      await aas.deleteScheduledAction(i as never);
      return {};
    },
    DescribeScalingActivities: async (i) => {
      const resourceIds =
        i.ResourceId !== undefined
          ? [String(i.ResourceId)]
          : (await aas.describeScalableTargets(i as never)).ScalableTargets.map((t) => t.ResourceId);
      const activities =
        i.ServiceNamespace === 'ecs'
          ? resourceIds.flatMap((id) => aas.describeScalingActivities({ ResourceId: id }).ScalingActivities)
          : [];
      // Newest first across services; the key orders by time descending, then by id.
      const sorted = [...activities].sort(
        (a, b) => b.StartTime - a.StartTime || (a.ActivityId < b.ActivityId ? -1 : 1),
      );
      return page(
        'ScalingActivities',
        sorted,
        (a) => `${String(9e15 - a.StartTime).padStart(16, '0')}\u0000${a.ActivityId}`,
        i,
      );
    },
  };
}
