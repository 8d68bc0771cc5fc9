/**
 * ECS-style ARNs. Baton names its resources the way ECS does so tools and
 * people that read ECS ARNs read Baton's; the region and account are local
 * placeholders unless the embedding service sets its own.
 */
export interface ArnContext {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

export const defaultArnContext: ArnContext = { partition: 'aws', region: 'local', account: '000000000000' };

export type EcsResourceType = 'cluster' | 'container-instance' | 'task-definition' | 'service' | 'task';

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resourceType: string;
  /** The parts after the resource type, split on `/`. */
  readonly resource: readonly string[];
}

const prefix = (ctx: ArnContext) => `arn:${ctx.partition}:ecs:${ctx.region}:${ctx.account}`;

export const arns = {
  cluster: (clusterName: string, ctx: ArnContext = defaultArnContext) =>
    `${prefix(ctx)}:cluster/${clusterName}`,
  containerInstance: (clusterName: string, id: string, ctx: ArnContext = defaultArnContext) =>
    `${prefix(ctx)}:container-instance/${clusterName}/${id}`,
  taskDefinition: (family: string, revision: number, ctx: ArnContext = defaultArnContext) =>
    `${prefix(ctx)}:task-definition/${family}:${revision}`,
  service: (clusterName: string, serviceName: string, ctx: ArnContext = defaultArnContext) =>
    `${prefix(ctx)}:service/${clusterName}/${serviceName}`,
  task: (clusterName: string, taskId: string, ctx: ArnContext = defaultArnContext) =>
    `${prefix(ctx)}:task/${clusterName}/${taskId}`,
} as const;

/** Parses `arn:partition:service:region:account:type/a/b`; undefined when it is not an ARN. */
export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, account] = parts as [string, string, string, string, string];
  const rest = parts.slice(5).join(':');
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  return {
    partition,
    service,
    region,
    account,
    resourceType: rest.slice(0, slash),
    resource: rest.slice(slash + 1).split('/'),
  };
}

/** The last path segment of an ARN, or the string itself when it is not an ARN (ECS accepts both). */
export function resourceName(arnOrName: string): string {
  if (!arnOrName.startsWith('arn:')) return arnOrName;
  const parsed = parseArn(arnOrName);
  return parsed ? parsed.resource[parsed.resource.length - 1]! : arnOrName;
}

/** The cluster name of a cluster, service, task or container-instance ARN (or a bare name). */
export function clusterNameOf(arnOrName: string): string {
  if (!arnOrName.startsWith('arn:')) return arnOrName;
  const parsed = parseArn(arnOrName);
  if (!parsed) return arnOrName;
  return parsed.resourceType === 'cluster' ? parsed.resource[0]! : (parsed.resource[0] ?? arnOrName);
}

/** A task definition reference: `family`, `family:revision`, or a task-definition ARN. */
export interface TaskDefinitionRef {
  readonly family: string;
  /** Absent means "the latest ACTIVE revision". */
  readonly revision?: number;
}

export function parseTaskDefinitionRef(ref: string): TaskDefinitionRef | undefined {
  const body = ref.startsWith('arn:') ? parseArn(ref) : undefined;
  if (ref.startsWith('arn:') && body?.resourceType !== 'task-definition') return undefined;
  const text = body ? body.resource.join('/') : ref;
  const m = /^([A-Za-z0-9_-]{1,255})(?::([1-9]\d*))?$/.exec(text);
  if (!m) return undefined;
  return m[2] === undefined ? { family: m[1]! } : { family: m[1]!, revision: Number(m[2]) };
}
