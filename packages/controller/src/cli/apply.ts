import type { Client } from './client.js';
import { connect, connectionHelp, duration, parseVerb, type VerbIo } from './client-args.js';
import { loadDocuments } from './documents.js';
import type { Wire, WireService } from './ecs-reads.js';
import { elbCall } from './elb-call.js';
import { type LiveElb, withTargetGroupArns } from './elb-docs.js';
import { readLive } from './live.js';
import { type Change, plan, revisionRef, type TaskDefinitionRef } from './plan.js';
import { changeTitle } from './plan-text.js';
import { scalingRequest } from './scaling-docs.js';
import { UsageError } from './usage-error.js';
import { type Followed, waitForDeployments } from './wait.js';

export const applyUsage = `usage: baton apply -f PATH [options]

Makes the cluster match a file or a folder of ECS JSON or YAML documents (several per file: a
JSON list or YAML documents separated by ---). What a document is comes from its fields:
  containerDefinitions  a task definition: registered only when it differs from the family's
                        latest ACTIVE revision
  serviceName           a service: created, or updated to match; a task definition named by
                        family resolves to the revision this apply registered (else the latest)
  clusterName (only)    a cluster: created when missing
  ScalableDimension, PolicyName
                        Application Auto Scaling's scalable target / scaling policy (AWS shapes)
  Name + Protocol/Port  an ELBv2 target group (CreateTargetGroup's request): created, or
                        modified to match (health check, attributes)
  Name + Type/Scheme    an ELBv2 load balancer (CreateLoadBalancer's request): created when missing
  DefaultActions        an ELBv2 listener (CreateListener's request), by load balancer and port;
                        LoadBalancerArn and an action's TargetGroupArn may be names
A service's loadBalancers[].targetGroupArn may name a target group too.
Every document is checked first: when one is invalid nothing is applied. Applying the same
documents again changes nothing.

  -f, --filename <path>  a file or a folder of .json/.yaml/.yml documents (repeatable)
  --prune                delete services of the documents' clusters that no document declares
  --wait                 follow each deployment to steady state; exit 1 if one fails or the
                         circuit breaker rolls it back
  --timeout <duration>   how long --wait waits (default 10m)

${connectionHelp}

examples:
  baton apply -f deploy/
  baton apply -f web.yaml --wait
  baton apply -f deploy/ --prune --cluster prod`;

export async function apply(io: VerbIo): Promise<number> {
  const { values, positionals } = parseVerb(io.argv, {
    filename: { type: 'string', short: 'f', multiple: true },
    prune: { type: 'boolean' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
  });
  if (values.help) {
    io.stdout(applyUsage);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (use -f PATH)`);
  if (!values.filename?.length) throw new UsageError('-f PATH: which file or folder to apply');
  const timeoutMs = values.timeout === undefined ? 600_000 : duration('--timeout', values.timeout);
  const { declared, errors } = await loadDocuments(values.filename);
  if (errors.length > 0) {
    for (const e of errors) io.stderr(e);
    io.stderr('nothing applied');
    return 1;
  }
  const { client, cluster } = await connect(values, io.env);
  const live = await readLive(client, declared, cluster);
  const p = plan(declared, live, { cluster, prune: values.prune === true });
  if (p.errors.length > 0) {
    for (const e of p.errors) io.stderr(e);
    io.stderr('nothing applied');
    return 1;
  }
  for (const u of p.unchanged) io.stdout(`${u}: unchanged`);
  const followed = await execute(client, p.changes, io.stdout, live.elb);
  if (p.changes.length === 0) io.stdout('nothing to change');
  if (!values.wait || followed.length === 0) return 0;
  return (await waitForDeployments(client, followed, { timeoutMs, out: io.stdout, tty: io.tty === true }))
    ? 0
    : 1;
}

/**
 * Carries out the changes in order: clusters, task definitions, target groups, load balancers,
 * listeners, services, scaling, deletions.
 */
async function execute(
  client: Client,
  changes: readonly Change[],
  out: (line: string) => void,
  elb: LiveElb | undefined,
): Promise<Followed[]> {
  // Listeners and services after the target groups they name; scaling after services; deletions last.
  const order = {
    cluster: 0,
    taskDefinition: 1,
    targetGroup: 2,
    loadBalancer: 3,
    listener: 4,
    service: 5,
    scalableTarget: 6,
    scalingPolicy: 7,
  } as const;
  const groupArns = new Map<string, string>();
  const lbArns = new Map<string, string>();
  for (const [name, tg] of elb?.targetGroups ?? []) groupArns.set(name, String(tg.TargetGroupArn));
  for (const [name, lb] of elb?.loadBalancers ?? []) lbArns.set(name, String(lb.LoadBalancerArn));
  const groupArn = (ref: string) => (ref.startsWith('arn:') ? ref : (groupArns.get(ref) ?? ref));
  const sorted = [...changes].sort(
    (a, b) => (a.action === 'delete' ? 9 : order[a.kind]) - (b.action === 'delete' ? 9 : order[b.kind]),
  );
  const registered = new Map<string, string>();
  const resolve = (ref: TaskDefinitionRef) =>
    'existing' in ref ? ref.existing : (registered.get(ref.registering) ?? ref.registering);
  const followed: Followed[] = [];
  for (const c of sorted) {
    switch (c.kind) {
      case 'cluster':
        await client.call('ecs', 'CreateCluster', c.request);
        out(`cluster "${c.name}": created`);
        break;
      case 'taskDefinition': {
        const r = await client.call('ecs', 'RegisterTaskDefinition', c.request);
        const td = r.taskDefinition as Wire;
        registered.set(c.family, `${c.family}:${td.revision}`);
        out(`task definition "${c.family}": registered ${c.family}:${td.revision}`);
        break;
      }
      case 'scalableTarget':
      case 'scalingPolicy':
        await client.call(
          'autoscaling',
          c.kind === 'scalableTarget' ? 'RegisterScalableTarget' : 'PutScalingPolicy',
          scalingRequest(c.request),
        );
        out(`${c.name}: ${c.create ? 'created' : 'updated'}`);
        break;
      case 'targetGroup': {
        let arn = groupArns.get(c.name);
        if (c.action === 'create') {
          const r = await elbCall(client, 'CreateTargetGroup', c.request);
          arn = String((r.TargetGroups as Wire[])[0]?.TargetGroupArn);
          groupArns.set(c.name, arn);
        } else if (Object.keys(c.request).length > 0)
          await elbCall(client, 'ModifyTargetGroup', { ...c.request, TargetGroupArn: arn });
        if (c.attributes.length > 0)
          await elbCall(client, 'ModifyTargetGroupAttributes', {
            TargetGroupArn: arn,
            Attributes: c.attributes,
          });
        out(`target group "${c.name}": ${c.action === 'create' ? 'created' : 'updated'}`);
        break;
      }
      case 'loadBalancer': {
        const r = await elbCall(client, 'CreateLoadBalancer', c.request);
        lbArns.set(c.name, String((r.LoadBalancers as Wire[])[0]?.LoadBalancerArn));
        out(`load balancer "${c.name}": created`);
        break;
      }
      case 'listener': {
        const request = withTargetGroupArns(c.request, groupArn);
        if (c.action === 'create')
          await elbCall(client, 'CreateListener', {
            ...request,
            LoadBalancerArn: lbArns.get(c.loadBalancer) ?? request.LoadBalancerArn,
          });
        else {
          const { LoadBalancerArn: _lb, Port: _port, ...changes } = request;
          await elbCall(client, 'ModifyListener', { ...changes, ListenerArn: c.listenerArn });
        }
        out(`listener "${c.name}": ${c.action === 'create' ? 'created' : 'updated'}`);
        break;
      }
      case 'service': {
        if (c.action === 'delete') {
          await client.call('ecs', 'DeleteService', { cluster: c.cluster, service: c.name, force: true });
          out(`${changeTitle(c).replace(/: delete.*/, '')}: deleted`);
          break;
        }
        const taskDefinition = resolve(c.taskDefinition);
        const r =
          c.action === 'create'
            ? await client.call('ecs', 'CreateService', {
                ...c.request,
                taskDefinition,
                ...(Array.isArray(c.request.loadBalancers)
                  ? {
                      loadBalancers: (c.request.loadBalancers as Wire[]).map((lb) =>
                        typeof lb.targetGroupArn === 'string'
                          ? { ...lb, targetGroupArn: groupArn(lb.targetGroupArn) }
                          : lb,
                      ),
                    }
                  : {}),
              })
            : await client.call('ecs', 'UpdateService', {
                cluster: c.cluster,
                service: c.name,
                ...c.request,
                ...(c.fields.some((f) => f.path === 'taskDefinition') ? { taskDefinition } : {}),
              });
        const service = r.service as WireService;
        out(
          `service "${c.name}" (cluster ${c.cluster}): ${c.action === 'create' ? 'created' : 'updated'} (${taskDefinition})`,
        );
        followed.push({
          cluster: c.cluster,
          name: c.name,
          taskDefinition: revisionRef(service.taskDefinition ?? taskDefinition),
        });
        break;
      }
    }
  }
  return followed;
}
