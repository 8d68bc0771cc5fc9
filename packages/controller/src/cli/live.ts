import type { Client } from './client.js';
import type { Declared } from './documents.js';
import { allServices, latestTaskDefinition, listAll, type Wire, type WireService } from './ecs-reads.js';
import { elbCall, elbDescribeAll } from './elb-call.js';
import { elbNameOf, type LiveElb, loadBalancerNameOf } from './elb-docs.js';
import type { Live } from './plan.js';
import { revisionRef } from './plan.js';
import { scalingKey } from './scaling-docs.js';

/** Reads what the plan for `declared` needs: the clusters, the families' latest revisions, the services. */
export async function readLive(
  client: Client,
  declared: readonly Declared[],
  cluster: string,
): Promise<Live> {
  const clusterArns = await listAll(client, 'ListClusters', {}, 'clusterArns');
  const clusters = new Set<string>();
  if (clusterArns.length > 0) {
    const r = await client.call('ecs', 'DescribeClusters', { clusters: clusterArns });
    for (const c of (r.clusters as Wire[] | undefined) ?? [])
      if (c.status === 'ACTIVE' && typeof c.clusterName === 'string') clusters.add(c.clusterName);
  }

  const families = new Set<string>();
  const serviceClusters = new Set<string>([cluster]);
  for (const d of declared) {
    if (d.kind === 'taskDefinition') families.add(d.value.family);
    if (d.kind === 'service') {
      const ref = revisionRef(d.value.taskDefinition);
      families.add(ref.includes(':') ? ref.slice(0, ref.indexOf(':')) : ref);
      serviceClusters.add(typeof d.raw.cluster === 'string' ? revisionRef(d.raw.cluster) : cluster);
    }
  }
  const latest = new Map<string, Wire>();
  for (const family of families) {
    const td = await latestTaskDefinition(client, family);
    if (td) latest.set(family, td);
  }

  const services = new Map<string, WireService[]>();
  for (const c of serviceClusters) {
    if (!clusters.has(c)) continue;
    services.set(
      c,
      (await allServices(client, c)).filter((s) => s.status === 'ACTIVE'),
    );
  }
  const scaling = new Map<string, Wire>();
  for (const d of declared) {
    if (d.kind !== 'scalableTarget' && d.kind !== 'scalingPolicy') continue;
    const { ServiceNamespace, ResourceId, ScalableDimension, PolicyName } = d.raw;
    const found =
      d.kind === 'scalableTarget'
        ? ((
            await client.call('autoscaling', 'DescribeScalableTargets', {
              ServiceNamespace,
              ResourceIds: [ResourceId],
              ScalableDimension,
            })
          ).ScalableTargets as Wire[] | undefined)
        : ((
            await client.call('autoscaling', 'DescribeScalingPolicies', {
              ServiceNamespace,
              ResourceId,
              ScalableDimension,
              PolicyNames: [PolicyName],
            })
          ).ScalingPolicies as Wire[] | undefined);
    const current = found?.find(
      (x) => x.ResourceId === ResourceId && x.ScalableDimension === ScalableDimension,
    );
    if (current) scaling.set(scalingKey(d.kind, d.raw), current);
  }
  const elb = needsElb(declared) ? await readElb(client, declared) : undefined;
  return { clusters, latest, services, scaling, ...(elb ? { elb } : {}) };
}

/** ELBv2 documents, or a service that names a target group rather than giving its ARN. */
function needsElb(declared: readonly Declared[]): boolean {
  return declared.some(
    (d) =>
      d.kind === 'targetGroup' ||
      d.kind === 'loadBalancer' ||
      d.kind === 'listener' ||
      (d.kind === 'service' &&
        d.value.loadBalancers.some(
          (lb) => lb.targetGroupArn !== undefined && !lb.targetGroupArn.startsWith('arn:'),
        )),
  );
}

async function readElb(client: Client, declared: readonly Declared[]): Promise<LiveElb> {
  const targetGroups = new Map<string, Wire>();
  for (const tg of await elbDescribeAll(client, 'DescribeTargetGroups', {}, 'TargetGroups'))
    targetGroups.set(String(tg.TargetGroupName), tg);
  const targetGroupAttributes = new Map<string, { Key: string; Value: string }[]>();
  for (const d of declared) {
    if (d.kind !== 'targetGroup' || !Array.isArray(d.raw.Attributes)) continue;
    const current = targetGroups.get(elbNameOf('targetGroup', d.raw));
    if (!current) continue;
    const r = await elbCall(client, 'DescribeTargetGroupAttributes', {
      TargetGroupArn: current.TargetGroupArn,
    });
    targetGroupAttributes.set(
      String(current.TargetGroupName),
      r.Attributes as { Key: string; Value: string }[],
    );
  }
  const loadBalancers = new Map<string, Wire>();
  for (const lb of await elbDescribeAll(client, 'DescribeLoadBalancers', {}, 'LoadBalancers'))
    loadBalancers.set(String(lb.LoadBalancerName), lb);
  const listeners = new Map<string, Wire[]>();
  for (const d of declared) {
    if (d.kind !== 'listener') continue;
    const name = loadBalancerNameOf(String(d.raw.LoadBalancerArn));
    const lb = loadBalancers.get(name);
    if (!lb || listeners.has(name)) continue;
    listeners.set(
      name,
      await elbDescribeAll(client, 'DescribeListeners', { LoadBalancerArn: lb.LoadBalancerArn }, 'Listeners'),
    );
  }
  return { targetGroups, targetGroupAttributes, loadBalancers, listeners };
}
