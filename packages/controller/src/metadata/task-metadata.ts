import {
  type Container,
  type ContainerDefinition,
  clusterNameOf,
  type Task,
  type TaskDefinition,
} from '@baton-ecs/model';
import {
  containerArnOf,
  isPauseContainer,
  type ObservedContainer,
  serviceNameOf,
} from '@baton-ecs/reconciler';

/**
 * The task metadata endpoint v4's JSON, shaped as ECS's agent answers (developer guide,
 * task-metadata-endpoint-v4): plain functions of the Task record, its definition and what the engine
 * shows of each container.
 */

/** One container of the task as the endpoint describes it. */
export interface MetadataContainer {
  readonly name: string;
  readonly def?: ContainerDefinition;
  readonly record?: Container;
  readonly observed?: ObservedContainer;
}

/** The network of a task: its mode, and for awsvpc the subnet network's CIDR and gateway. */
export interface MetadataNetwork {
  readonly mode: TaskDefinition['networkMode'];
  /** The Docker network the task's address is on (`bridge`, or the awsvpc subnet's). */
  readonly dockerNetwork?: string;
  /** The task's namespace holder in awsvpc (its pause container), whose address the containers share. */
  readonly namespaceOwner?: ObservedContainer;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function cidrOf(ip: string, prefix: number | undefined): string | undefined {
  if (prefix === undefined) return undefined;
  const n = ip.split('.').reduce((a, p) => ((a << 8) | Number(p)) >>> 0, 0);
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  const base = (n & mask) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (base >>> s) & 0xff).join('.')}/${prefix}`;
}

function networks(c: MetadataContainer, net: MetadataNetwork): object[] | undefined {
  if (net.mode === 'host' || net.mode === 'none') return [{ NetworkMode: net.mode }];
  const holder = net.mode === 'awsvpc' ? net.namespaceOwner : c.observed;
  const on = holder?.networks?.find((n) => n.name === net.dockerNetwork && n.ipAddress !== '');
  if (!on) return undefined;
  if (net.mode === 'bridge') return [{ NetworkMode: 'bridge', IPv4Addresses: [on.ipAddress] }];
  return [
    defined({
      NetworkMode: 'awsvpc',
      IPv4Addresses: [on.ipAddress],
      AttachmentIndex: 0,
      MACAddress: on.macAddress,
      IPv4SubnetCIDRBlock: cidrOf(on.ipAddress, on.prefixLength),
      PrivateDNSName: `ip-${on.ipAddress.replaceAll('.', '-')}.baton.internal`,
      SubnetGatewayIpv4Address:
        on.gateway && on.prefixLength !== undefined ? `${on.gateway}/${on.prefixLength}` : on.gateway,
    }),
  ];
}

/** `${ECS_CONTAINER_METADATA_URI_V4}`: one container. */
export function containerMetadata(
  task: Task,
  td: TaskDefinition,
  c: MetadataContainer,
  net: MetadataNetwork,
): Record<string, unknown> {
  const pause = isPauseContainer(c.name);
  const o = c.observed;
  const lc = c.def?.logConfiguration;
  const ports = (c.record?.networkBindings ?? []).map((b) =>
    defined({ ContainerPort: b.containerPort, Protocol: b.protocol, HostPort: b.hostPort, HostIp: b.bindIP }),
  );
  const status = pause
    ? 'RESOURCES_PROVISIONED'
    : (c.record?.lastStatus ?? (o?.state === 'running' ? 'RUNNING' : 'PENDING'));
  return defined({
    DockerId: o?.id ?? c.record?.runtimeId,
    Name: c.name,
    DockerName: o?.name,
    Image: c.def?.image ?? o?.image,
    ImageID: o?.imageId ?? '',
    Ports: ports.length > 0 ? ports : undefined,
    Labels: o && Object.keys(o.labels).length > 0 ? o.labels : undefined,
    DesiredStatus: pause ? 'RESOURCES_PROVISIONED' : task.desiredStatus,
    KnownStatus: status,
    ExitCode: c.record?.exitCode ?? o?.exitCode,
    Limits: { CPU: c.def?.cpu ?? 0, Memory: c.def?.memory ?? 0 },
    StartedAt: iso(o?.startedAt ?? c.record?.startedAt),
    FinishedAt: iso(o?.state === 'running' ? undefined : (o?.finishedAt ?? c.record?.finishedAt)),
    Type: pause ? (td.networkMode === 'awsvpc' ? 'CNI_PAUSE' : 'NAMESPACE_PAUSE') : 'NORMAL',
    LogDriver: lc?.logDriver,
    LogOptions: lc?.options,
    ContainerARN: pause ? undefined : containerArnOf(task.taskArn, c.name),
    Networks: networks(c, net),
  });
}

/** `${ECS_CONTAINER_METADATA_URI_V4}/task`: the task and every container of it. */
export function taskMetadata(
  task: Task,
  td: TaskDefinition,
  containers: readonly MetadataContainer[],
  net: MetadataNetwork,
): Record<string, unknown> {
  const cpu = task.cpu ?? td.cpu;
  const memory = task.memory ?? td.memory;
  return defined({
    Cluster: clusterNameOf(task.clusterArn),
    TaskARN: task.taskArn,
    Family: td.family,
    ServiceName: serviceNameOf(task),
    Revision: String(td.revision),
    DesiredStatus: task.desiredStatus,
    KnownStatus: task.lastStatus,
    Limits:
      cpu !== undefined || memory !== undefined
        ? defined({
            CPU: cpu !== undefined ? Number(cpu) / 1024 : undefined,
            Memory: memory !== undefined ? Number(memory) : undefined,
          })
        : undefined,
    PullStartedAt: iso(task.pullStartedAt),
    PullStoppedAt: iso(task.pullStoppedAt),
    ExecutionStoppedAt: iso(task.executionStoppedAt),
    AvailabilityZone: task.availabilityZone,
    LaunchType: task.launchType,
    Containers: containers.map((c) => containerMetadata(task, td, c, net)),
  });
}
