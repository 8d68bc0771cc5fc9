import type { Client } from './client.js';
import { connect, connectionHelp, parseVerb, type VerbIo } from './client-args.js';
import {
  allTasks,
  describeServices,
  shortId,
  taskDefinitionName,
  type Wire,
  type WireService,
} from './ecs-reads.js';
import { age, table, time } from './output.js';
import { UsageError } from './usage-error.js';

export const describeUsage = `usage: baton describe service NAME [options]

A service in full: its configuration, deployments (running/desired each), tasks, why pending
tasks cannot be placed, its load balancer targets and their health, its scaling, newest events.

  --events <n>   how many events to show (default 10)

${connectionHelp}

examples:
  baton describe service web
  baton describe service web --cluster prod --events 30`;

export async function describe(io: VerbIo): Promise<number> {
  const { values, positionals } = parseVerb(io.argv, { events: { type: 'string' } });
  if (values.help) {
    io.stdout(describeUsage);
    return 0;
  }
  const [kind, name, ...extra] = positionals;
  if (kind !== 'service' && kind !== 'services' && kind !== 'svc')
    throw new UsageError(
      kind ? `cannot describe "${kind}" (only: service NAME)` : 'what to describe: service NAME',
    );
  if (!name) throw new UsageError('describe service: which service (NAME)');
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const eventCount = values.events === undefined ? 10 : Number(values.events);
  if (!Number.isInteger(eventCount) || eventCount < 0)
    throw new UsageError(`--events: must be a whole number (got "${values.events}")`);
  const { client, cluster } = await connect(values, io.env);
  const [service] = await describeServices(client, cluster, [name]);
  if (!service) throw new Error(`service "${name}" not found in cluster "${cluster}"`);
  for (const line of await describeService(client, cluster, service, eventCount)) io.stdout(line);
  return 0;
}

/** The lines `baton describe service` prints. */
export async function describeService(
  client: Client,
  cluster: string,
  s: WireService,
  eventCount: number,
): Promise<string[]> {
  const out: string[] = [];
  const dc = (s.deploymentConfiguration ?? {}) as Wire;
  const breaker = (dc.deploymentCircuitBreaker ?? {}) as Wire;
  const field = (label: string, value: unknown) => {
    if (value !== undefined && value !== '') out.push(`${`${label}:`.padEnd(22)}${String(value)}`);
  };
  field('Name', s.serviceName);
  field('Cluster', cluster);
  field('Status', s.status);
  field('Task definition', taskDefinitionName(s.taskDefinition));
  field('Desired', s.desiredCount);
  field('Running', s.runningCount);
  field('Pending', s.pendingCount);
  field('Scheduling', s.schedulingStrategy);
  field('Launch type', s.launchType);
  field('Deployment limits', `min ${dc.minimumHealthyPercent ?? '?'}% / max ${dc.maximumPercent ?? '?'}%`);
  field(
    'Circuit breaker',
    breaker.enable ? `enabled${breaker.rollback ? ', rolls back' : ', no rollback'}` : 'disabled',
  );
  field(
    'Grace period',
    s.healthCheckGracePeriodSeconds === undefined ? undefined : `${s.healthCheckGracePeriodSeconds}s`,
  );
  field('Created', s.createdAt === undefined ? undefined : `${time(s.createdAt)} (${age(s.createdAt)} ago)`);
  field('ARN', s.serviceArn);

  out.push('', 'Deployments:');
  indent(
    out,
    table(
      s.deployments ?? [],
      [
        { header: 'ID', value: (d) => d.id },
        { header: 'STATUS', value: (d) => d.status },
        { header: 'TASK DEFINITION', value: (d) => taskDefinitionName(d.taskDefinition) },
        { header: 'DESIRED', value: (d) => d.desiredCount },
        { header: 'RUNNING', value: (d) => d.runningCount },
        { header: 'PENDING', value: (d) => d.pendingCount },
        { header: 'FAILED', value: (d) => d.failedTasks },
        { header: 'ROLLOUT', value: (d) => d.rolloutState },
        { header: 'REASON', value: (d) => d.rolloutStateReason },
      ],
      false,
    ),
  );

  const tasks = (await allTasks(client, cluster, s.serviceName)).filter(
    (t) => t.lastStatus !== 'STOPPED' || t.desiredStatus !== 'STOPPED' || recent(t.createdAt),
  );
  out.push('', 'Tasks:');
  if (tasks.length === 0) out.push('  (none)');
  else
    indent(
      out,
      table(
        tasks,
        [
          { header: 'ID', value: (t) => shortId(t.taskArn) },
          { header: 'STATUS', value: (t) => t.lastStatus },
          { header: 'HEALTH', value: (t) => t.healthStatus },
          { header: 'TASK DEFINITION', value: (t) => taskDefinitionName(t.taskDefinitionArn) },
          { header: 'INSTANCE', value: (t) => shortId(t.containerInstanceArn) },
          { header: 'STOPPED REASON', value: (t) => t.stoppedReason },
        ],
        false,
      ),
    );

  const placement = (s.events ?? []).find((e) => /unable to place/.test(e.message ?? ''));
  if ((s.pendingCount ?? 0) > 0 || ((s.runningCount ?? 0) < (s.desiredCount ?? 0) && placement)) {
    out.push('', 'Placement:');
    out.push(
      `  ${placement ? `${time(placement.createdAt)} ${placement.message}` : 'every pending task has been placed'}`,
    );
  }

  if ((s.loadBalancers ?? []).length > 0) {
    out.push('', 'Load balancers:');
    for (const lb of s.loadBalancers ?? []) {
      out.push(`  ${lb.targetGroupArn ?? '?'} → ${lb.containerName}:${lb.containerPort}`);
      out.push(...(await targetHealth(client, lb.targetGroupArn)).map((l) => `    ${l}`));
    }
  }

  const scaling = await scalingOf(client, cluster, s.serviceName);
  if (scaling.length > 0) out.push('', 'Scaling:', ...scaling.map((l) => `  ${l}`));

  out.push('', 'Events:');
  const events = (s.events ?? []).slice(0, eventCount);
  if (events.length === 0) out.push('  (none)');
  for (const e of events) out.push(`  ${time(e.createdAt)}  ${e.message}`);
  return out;
}

function indent(out: string[], lines: string[]): void {
  for (const l of lines) out.push(`  ${l}`);
}

function recent(createdAt: number | undefined): boolean {
  return createdAt !== undefined && Date.now() / 1000 - createdAt < 3600;
}

/** XML lists come back as one object or an array of `member`s. */
export function members(list: unknown): Wire[] {
  const m = (list as { member?: unknown } | undefined)?.member;
  if (m === undefined) return [];
  return (Array.isArray(m) ? m : [m]) as Wire[];
}

async function targetHealth(client: Client, targetGroupArn: string | undefined): Promise<string[]> {
  if (!targetGroupArn) return [];
  try {
    const r = await client.query('DescribeTargetHealth', { TargetGroupArn: targetGroupArn });
    const rows = members(r.TargetHealthDescriptions).map((d) => {
      const target = (d.Target ?? {}) as Wire;
      const health = (d.TargetHealth ?? {}) as Wire;
      return {
        target: `${target.Id}:${target.Port}`,
        state: health.State,
        reason: health.Description ?? health.Reason,
      };
    });
    if (rows.length === 0) return ['(no targets)'];
    return table(
      rows,
      [
        { header: 'TARGET', value: (r) => r.target },
        { header: 'STATE', value: (r) => String(r.state ?? '') },
        { header: 'REASON', value: (r) => String(r.reason ?? '') },
      ],
      false,
    );
  } catch (error) {
    return [`(target health unavailable: ${(error as Error).message})`];
  }
}

/** The service's scalable target, policies and newest activities, if it has any. */
async function scalingOf(client: Client, cluster: string, serviceName: string): Promise<string[]> {
  const resourceId = `service/${cluster}/${serviceName}`;
  try {
    const targets = await client.call('autoscaling', 'DescribeScalableTargets', {
      ServiceNamespace: 'ecs',
      ResourceIds: [resourceId],
    });
    const target = ((targets.ScalableTargets as Wire[] | undefined) ?? [])[0];
    if (!target) return [];
    const out = [`capacity ${target.MinCapacity}–${target.MaxCapacity}`];
    const policies = await client.call('autoscaling', 'DescribeScalingPolicies', {
      ServiceNamespace: 'ecs',
      ResourceId: resourceId,
    });
    for (const p of (policies.ScalingPolicies as Wire[] | undefined) ?? []) {
      const tt = p.TargetTrackingScalingPolicyConfiguration as Wire | undefined;
      const metric = (tt?.PredefinedMetricSpecification as Wire | undefined)?.PredefinedMetricType;
      out.push(
        `policy ${p.PolicyName} (${p.PolicyType}${tt ? `: ${metric ?? 'custom metric'} at ${tt.TargetValue}` : ''})`,
      );
    }
    const activities = await client.call('autoscaling', 'DescribeScalingActivities', {
      ServiceNamespace: 'ecs',
      ResourceId: resourceId,
      MaxResults: 5,
    });
    for (const a of (activities.ScalingActivities as Wire[] | undefined) ?? [])
      out.push(`${time(a.StartTime as number)} ${a.StatusCode}: ${a.Description}`);
    return out;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // An endpoint without Application Auto Scaling has no scaling to show.
    if (code === 'UnknownOperationException') return [];
    return [`(scaling unavailable: ${(error as Error).message})`];
  }
}
