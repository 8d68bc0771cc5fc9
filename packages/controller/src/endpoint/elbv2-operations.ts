import type { TargetGroup } from '@baton-ecs/model';
import type { Baton } from '../baton.js';
import type { Operation } from './ecs-operations.js';
import { paginate } from './pagination.js';

const invalid = { code: 'ValidationError' };

/**
 * Elastic Load Balancing v2's target group operations over `baton.elbv2`, which speaks ELB's
 * PascalCase shapes and exception names already. DescribeTargetGroups pages by name with ELB's
 * `Marker`/`PageSize` (at most 400 a page).
 */
export function elbv2Operations(baton: Baton): Readonly<Record<string, Operation>> {
  const elb = baton.elbv2;
  return {
    CreateTargetGroup: (i) => elb.createTargetGroup(i),
    DescribeTargetGroups: async (i) => {
      const { TargetGroups } = await elb.describeTargetGroups(i as never);
      const sorted = [...TargetGroups].sort((a, b) => (a.TargetGroupName < b.TargetGroupName ? -1 : 1));
      const p = paginate(
        sorted,
        (tg: TargetGroup) => tg.TargetGroupName,
        { nextToken: i.Marker as string | undefined, maxResults: i.PageSize as number | undefined },
        { default: 400, max: 400 },
        invalid,
      );
      return { TargetGroups: p.items, NextMarker: p.nextToken };
    },
    ModifyTargetGroup: (i) => elb.modifyTargetGroup(i as never),
    ModifyTargetGroupAttributes: (i) => elb.modifyTargetGroupAttributes(i as never),
    DescribeTargetGroupAttributes: (i) => elb.describeTargetGroupAttributes(i as never),
    DeleteTargetGroup: async (i) => {
      await elb.deleteTargetGroup(i as never);
      return {};
    },
    DescribeTargetHealth: (i) => elb.describeTargetHealth(i as never),
  };
}
