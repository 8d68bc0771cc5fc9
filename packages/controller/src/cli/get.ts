import type { Client } from './client.js';
import { connect, connectionHelp, outputFormat, parseVerb, type VerbIo } from './client-args.js';
import {
  allInstances,
  allServices,
  allTasks,
  describeServices,
  describeTasks,
  listAll,
  shortId,
  taskDefinitionName,
  type Wire,
  type WireService,
  type WireTask,
} from './ecs-reads.js';
import { age, type Column, print } from './output.js';
import { UsageError } from './usage-error.js';

export const getUsage = `usage: baton get clusters|services|tasks|task-definitions|instances [NAME] [options]

Lists resources of the cluster, or shows one by NAME.

  -o, --output <fmt>   table (default), wide (more columns), json (ECS's own JSON), yaml
  --service <name>     tasks: only this service's

${connectionHelp}

examples:
  baton get services
  baton get tasks --service web -o wide
  baton get task-definitions web            # every ACTIVE revision of the family
  baton get task-definitions web:3 -o json  # ECS's JSON, ready for apply
  baton get instances --cluster prod -o yaml`;

const kinds: Record<string, Kind> = {};

interface Kind {
  readonly plural: string;
  fetch(client: Client, cluster: string, name: string | undefined, service?: string): Promise<Wire[]>;
  readonly columns: readonly Column<Wire>[];
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

kinds.clusters = {
  plural: 'clusters',
  async fetch(client, _cluster, name) {
    const names = name ? [name] : await listAll(client, 'ListClusters', {}, 'clusterArns');
    const r = await client.call('ecs', 'DescribeClusters', { clusters: names });
    return notFound((r.clusters as Wire[]) ?? [], name, 'cluster');
  },
  columns: [
    { header: 'NAME', value: (c) => str(c.clusterName) },
    { header: 'STATUS', value: (c) => str(c.status) },
    { header: 'INSTANCES', value: (c) => num(c.registeredContainerInstancesCount) },
    { header: 'SERVICES', value: (c) => num(c.activeServicesCount) },
    { header: 'RUNNING', value: (c) => num(c.runningTasksCount) },
    { header: 'PENDING', value: (c) => num(c.pendingTasksCount) },
    { header: 'ARN', value: (c) => str(c.clusterArn), wide: true },
  ],
};

const primary = (s: WireService) => s.deployments?.find((d) => d.status === 'PRIMARY');

kinds.services = {
  plural: 'services',
  async fetch(client, cluster, name) {
    if (!name) return allServices(client, cluster);
    return notFound(await describeServices(client, cluster, [name]), name, 'service');
  },
  columns: [
    { header: 'NAME', value: (s) => str(s.serviceName) },
    { header: 'STATUS', value: (s) => str(s.status) },
    { header: 'DESIRED', value: (s) => num(s.desiredCount) },
    { header: 'RUNNING', value: (s) => num(s.runningCount) },
    { header: 'PENDING', value: (s) => num(s.pendingCount) },
    { header: 'TASK DEFINITION', value: (s) => taskDefinitionName(str(s.taskDefinition)) },
    { header: 'ROLLOUT', value: (s) => primary(s as WireService)?.rolloutState },
    {
      header: 'DEPLOYMENTS',
      value: (s) => (s as WireService).deployments?.length,
      wide: true,
    },
    { header: 'STRATEGY', value: (s) => str(s.schedulingStrategy), wide: true },
    { header: 'AGE', value: (s) => age(num(s.createdAt)) },
    { header: 'ARN', value: (s) => str(s.serviceArn), wide: true },
  ],
};

kinds.tasks = {
  plural: 'tasks',
  async fetch(client, cluster, name, service) {
    if (!name) return allTasks(client, cluster, service);
    return notFound(await describeTasks(client, cluster, [name]), name, 'task');
  },
  columns: [
    { header: 'ID', value: (t) => shortId(str(t.taskArn)) },
    { header: 'GROUP', value: (t) => str(t.group) },
    { header: 'STATUS', value: (t) => str(t.lastStatus) },
    { header: 'DESIRED', value: (t) => str(t.desiredStatus) },
    { header: 'HEALTH', value: (t) => str(t.healthStatus) },
    { header: 'TASK DEFINITION', value: (t) => taskDefinitionName(str(t.taskDefinitionArn)) },
    { header: 'INSTANCE', value: (t) => shortId(str(t.containerInstanceArn)) },
    { header: 'PORTS', value: (t) => ports(t as WireTask), wide: true },
    { header: 'STOPPED REASON', value: (t) => str(t.stoppedReason), wide: true },
    { header: 'AGE', value: (t) => age(num(t.createdAt)) },
  ],
};

kinds['task-definitions'] = {
  plural: 'taskDefinitions',
  async fetch(client, _cluster, name) {
    const refs =
      name && /:\d+$/.test(name)
        ? [name]
        : await listAll(
            client,
            'ListTaskDefinitions',
            name ? { familyPrefix: name } : {},
            'taskDefinitionArns',
          );
    if (name && refs.length === 0) throw new Error(`task definition family "${name}" has no ACTIVE revision`);
    const out: Wire[] = [];
    for (const ref of refs) {
      const r = await client.call('ecs', 'DescribeTaskDefinition', { taskDefinition: ref });
      out.push(r.taskDefinition as Wire);
    }
    return out;
  },
  columns: [
    { header: 'NAME', value: (t) => `${str(t.family)}:${num(t.revision)}` },
    { header: 'STATUS', value: (t) => str(t.status) },
    {
      header: 'CONTAINERS',
      value: (t) => ((t.containerDefinitions as Wire[] | undefined) ?? []).map((c) => str(c.name)).join(','),
    },
    { header: 'NETWORK', value: (t) => str(t.networkMode) },
    { header: 'CPU', value: (t) => str(t.cpu) ?? num(t.cpu) },
    { header: 'MEMORY', value: (t) => str(t.memory) ?? num(t.memory) },
    {
      header: 'IMAGES',
      value: (t) => ((t.containerDefinitions as Wire[] | undefined) ?? []).map((c) => str(c.image)).join(','),
      wide: true,
    },
    { header: 'AGE', value: (t) => age(num(t.registeredAt)) },
  ],
};

const resource = (i: Wire, list: 'registeredResources' | 'remainingResources', name: string) =>
  ((i[list] as Wire[] | undefined) ?? []).find((r) => r.name === name)?.integerValue as number | undefined;
const attribute = (i: Wire, name: string) =>
  str(((i.attributes as Wire[] | undefined) ?? []).find((a) => a.name === name)?.value);

kinds.instances = {
  plural: 'containerInstances',
  async fetch(client, cluster, name) {
    const all = await allInstances(client, cluster);
    if (!name) return all;
    return notFound(
      all.filter(
        (i) =>
          i.ec2InstanceId === name ||
          i.containerInstanceArn === name ||
          shortId(str(i.containerInstanceArn)) === name,
      ),
      name,
      'container instance',
    );
  },
  columns: [
    { header: 'INSTANCE', value: (i) => str(i.ec2InstanceId) },
    { header: 'STATUS', value: (i) => str(i.status) },
    { header: 'AGENT', value: (i) => (i.agentConnected === false ? 'disconnected' : 'connected') },
    { header: 'RUNNING', value: (i) => num(i.runningTasksCount) },
    { header: 'PENDING', value: (i) => num(i.pendingTasksCount) },
    {
      header: 'CPU FREE',
      value: (i) =>
        `${resource(i, 'remainingResources', 'CPU') ?? '?'}/${resource(i, 'registeredResources', 'CPU') ?? '?'}`,
    },
    {
      header: 'MEMORY FREE',
      value: (i) =>
        `${resource(i, 'remainingResources', 'MEMORY') ?? '?'}/${resource(i, 'registeredResources', 'MEMORY') ?? '?'}`,
    },
    { header: 'ZONE', value: (i) => attribute(i, 'ecs.availability-zone'), wide: true },
    { header: 'ARN', value: (i) => str(i.containerInstanceArn), wide: true },
  ],
};

const aliases: Record<string, string> = {
  cluster: 'clusters',
  service: 'services',
  svc: 'services',
  task: 'tasks',
  'task-definition': 'task-definitions',
  taskdefinitions: 'task-definitions',
  td: 'task-definitions',
  instance: 'instances',
  'container-instances': 'instances',
};

function ports(t: WireTask): string {
  return (t.containers ?? [])
    .flatMap((c) => c.networkBindings ?? [])
    .map((b) => `${b.hostPort}->${b.containerPort}/${b.protocol ?? 'tcp'}`)
    .join(',');
}

function notFound(found: Wire[], name: string | undefined, what: string): Wire[] {
  if (name && found.length === 0) throw new Error(`${what} "${name}" not found`);
  return found;
}

export async function get(io: VerbIo): Promise<number> {
  const { values, positionals } = parseVerb(io.argv, {
    output: { type: 'string', short: 'o' },
    service: { type: 'string' },
  });
  if (values.help) {
    io.stdout(getUsage);
    return 0;
  }
  const [kindName, name, ...extra] = positionals;
  if (!kindName) throw new UsageError(`what to get: ${Object.keys(kinds).join(', ')}`);
  const kind = kinds[aliases[kindName] ?? kindName];
  if (!kind) throw new UsageError(`unknown resource "${kindName}" (one of ${Object.keys(kinds).join(', ')})`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const format = outputFormat(values.output);
  const { client, cluster } = await connect(values, io.env);
  const rows = await kind.fetch(client, cluster, name, values.service);
  // One resource named: the object itself; a list (a family's revisions too): ECS's plural envelope.
  const single = name !== undefined && (kind !== kinds['task-definitions'] || /:\d+$/.test(name));
  const asObject = single && rows.length === 1 ? rows[0] : { [kind.plural]: rows };
  await print(io.stdout, format, rows, kind.columns, asObject);
  return 0;
}
