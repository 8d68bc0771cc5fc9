import type { Baton } from '../baton.js';
import type { Operation } from './ecs-operations.js';
import { paginate } from './pagination.js';

const invalid = { code: 'ValidationError', names: { size: 'PageSize', token: 'Marker' } };
/** ELB's page sizes: 400 a page at most, and by default. */
const pageLimits = { default: 400, max: 400 };

/** One page of `items` by ELB's `Marker`/`PageSize`, items ordered by `keyOf`. */
function page<T>(items: readonly T[], keyOf: (item: T) => string, i: Record<string, unknown>) {
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  return paginate(
    sorted,
    keyOf,
    { nextToken: i.Marker as string | undefined, maxResults: i.PageSize as number | undefined },
    pageLimits,
    invalid,
  );
}

/**
 * Elastic Load Balancing v2 over `baton.elbv2`, which speaks ELB's PascalCase shapes and exception
 * names already: target groups, load balancers and listeners. The Describe operations page with
 * ELB's `Marker`/`PageSize` (at most 400 a page).
 */
export function elbv2Operations(baton: Baton): Readonly<Record<string, Operation>> {
  const elb = baton.elbv2;
  return {
    CreateTargetGroup: (i) => elb.createTargetGroup(i),
    DescribeTargetGroups: async (i) => {
      const { TargetGroups } = await elb.describeTargetGroups(i as never);
      const p = page(TargetGroups, (tg) => tg.TargetGroupName, i);
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
    RegisterTargets: async (i) => {
      await elb.registerTargets(i as never);
      return {};
    },
    DeregisterTargets: async (i) => {
      await elb.deregisterTargets(i as never);
      return {};
    },
    CreateLoadBalancer: (i) => elb.createLoadBalancer(i as never),
    DescribeLoadBalancers: async (i) => {
      const { LoadBalancers } = await elb.describeLoadBalancers(i as never);
      const p = page(LoadBalancers, (lb) => lb.LoadBalancerName, i);
      return { LoadBalancers: p.items, NextMarker: p.nextToken };
    },
    DeleteLoadBalancer: async (i) => {
      await elb.deleteLoadBalancer(i as never);
      return {};
    },
    CreateListener: (i) => elb.createListener(i as never),
    DescribeListeners: async (i) => {
      const { Listeners } = await elb.describeListeners(i as never);
      // Ports sort as numbers: the key is zero-padded, then the ARN for listeners named by ARN.
      const p = page(Listeners, (l) => `${String(l.Port).padStart(5, '0')}/${l.ListenerArn}`, i);
      return { Listeners: p.items, NextMarker: p.nextToken };
    },
    ModifyListener: (i) => elb.modifyListener(i as never),
    DeleteListener: async (i) => {
      await elb.deleteListener(i as never);
      return {};
    },
  };
}
