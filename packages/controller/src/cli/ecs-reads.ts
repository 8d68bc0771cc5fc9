import type { Client } from './client.js';

/** The wire objects the client verbs read: ECS's JSON, loosely typed (only what the verbs show). */
export type Wire = Record<string, unknown>;

export interface WireDeployment extends Wire {
  id?: string;
  status?: string;
  taskDefinition?: string;
  desiredCount?: number;
  runningCount?: number;
  pendingCount?: number;
  failedTasks?: number;
  rolloutState?: string;
  rolloutStateReason?: string;
  createdAt?: number;
  updatedAt?: number;
}

export interface WireServiceEvent extends Wire {
  id?: string;
  createdAt?: number;
  message?: string;
}

export interface WireService extends Wire {
  serviceName: string;
  serviceArn?: string;
  clusterArn?: string;
  status?: string;
  taskDefinition?: string;
  desiredCount?: number;
  runningCount?: number;
  pendingCount?: number;
  launchType?: string;
  schedulingStrategy?: string;
  deployments?: WireDeployment[];
  events?: WireServiceEvent[];
  loadBalancers?: { targetGroupArn?: string; containerName?: string; containerPort?: number }[];
  createdAt?: number;
}

export interface WireTask extends Wire {
  taskArn: string;
  taskDefinitionArn?: string;
  lastStatus?: string;
  desiredStatus?: string;
  healthStatus?: string;
  group?: string;
  containerInstanceArn?: string;
  startedBy?: string;
  stoppedReason?: string;
  createdAt?: number;
  containers?: {
    name?: string;
    runtimeId?: string;
    lastStatus?: string;
    networkBindings?: { hostPort?: number; containerPort?: number; protocol?: string; bindIP?: string }[];
  }[];
}

/** Every page of a List* operation's `key`. */
export async function listAll(
  client: Client,
  operation: string,
  input: Wire,
  key: string,
): Promise<string[]> {
  const out: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.call('ecs', operation, { ...input, ...(nextToken ? { nextToken } : {}) });
    out.push(...((page[key] as string[] | undefined) ?? []));
    nextToken = page.nextToken as string | undefined;
  } while (nextToken);
  return out;
}

/** Describe* in chunks of `size`, keeping the order asked for; names not found are left out. */
async function describeChunks<T>(
  client: Client,
  operation: string,
  refs: readonly string[],
  size: number,
  input: (chunk: string[]) => Wire,
  key: string,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < refs.length; i += size) {
    const page = await client.call('ecs', operation, input(refs.slice(i, i + size)));
    out.push(...((page[key] as T[] | undefined) ?? []));
  }
  return out;
}

export async function describeServices(
  client: Client,
  cluster: string,
  names: readonly string[],
): Promise<WireService[]> {
  return describeChunks(
    client,
    'DescribeServices',
    names,
    10,
    (services) => ({ cluster, services }),
    'services',
  );
}

/** The cluster's services (ACTIVE and DRAINING), described. */
export async function allServices(client: Client, cluster: string): Promise<WireService[]> {
  const arns = await listAll(client, 'ListServices', { cluster }, 'serviceArns');
  return describeServices(client, cluster, arns);
}

export async function describeTasks(client: Client, cluster: string, arns: readonly string[]) {
  return describeChunks<WireTask>(
    client,
    'DescribeTasks',
    arns,
    100,
    (tasks) => ({ cluster, tasks }),
    'tasks',
  );
}

/** The cluster's tasks (running and recently stopped), optionally of one service. */
export async function allTasks(client: Client, cluster: string, serviceName?: string): Promise<WireTask[]> {
  const filter = serviceName ? { serviceName } : {};
  const running = await listAll(client, 'ListTasks', { cluster, ...filter }, 'taskArns');
  const stopped = await listAll(
    client,
    'ListTasks',
    { cluster, ...filter, desiredStatus: 'STOPPED' },
    'taskArns',
  );
  return describeTasks(client, cluster, [...new Set([...running, ...stopped])]);
}

export async function allInstances(client: Client, cluster: string): Promise<Wire[]> {
  const arns = await listAll(client, 'ListContainerInstances', { cluster }, 'containerInstanceArns');
  return describeChunks(
    client,
    'DescribeContainerInstances',
    arns,
    100,
    (containerInstances) => ({ cluster, containerInstances }),
    'containerInstances',
  );
}

/** The family's latest ACTIVE revision (DescribeTaskDefinition with a bare family), or undefined. */
export async function latestTaskDefinition(client: Client, family: string): Promise<Wire | undefined> {
  try {
    const r = await client.call('ecs', 'DescribeTaskDefinition', {
      taskDefinition: family,
      include: ['TAGS'],
    });
    const td = r.taskDefinition as Wire | undefined;
    if (td && Array.isArray(r.tags) && r.tags.length > 0) td.tags = r.tags;
    return td;
  } catch (error) {
    if ((error as { code?: string }).code === 'ClientException') return undefined;
    throw error;
  }
}

/** The last path segment of an ARN (`…:task/cluster/abc` → `abc`); a name stays itself. */
export function shortId(arn: string | undefined): string {
  if (!arn) return '';
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** `family:revision` of a task definition ARN. */
export function taskDefinitionName(arn: string | undefined): string {
  return arn ? arn.slice(arn.lastIndexOf('/') + 1) : '';
}
