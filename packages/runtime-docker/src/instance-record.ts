import { type Attribute, arns, type ContainerInstance, type InstanceResource } from '@baton-ecs/model';
import type { EngineInfo } from './container-engine.js';

/** The version Baton's agent reports in a container instance's versionInfo. */
export const agentVersion = '0.1.0';

export interface InstanceRegistration {
  readonly cluster: string;
  /** Baton's instance id (ECS's ec2InstanceId). */
  readonly instanceId: string;
  readonly endpoint: string;
  /** User attributes, e.g. `{ 'ecs.availability-zone': 'zone-a', 'ecs.instance-type': 'small' }`. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** MiB held back from tasks (ECS_RESERVED_MEMORY). Default 0. */
  readonly reservedMemoryMiB?: number;
  /** TCP ports no task may publish (ECS_RESERVED_PORTS). Default none. */
  readonly reservedPorts?: readonly number[];
  /** GPUs the engine offers to tasks (through Docker's nvidia device requests). Default none. */
  readonly gpus?: number;
}

/** ECS names architectures `x86_64` and `arm64`; Docker says `x86_64` and `aarch64`. */
export function ecsArchitecture(dockerArchitecture: string): string {
  if (dockerArchitecture === 'aarch64' || dockerArchitecture === 'arm64') return 'arm64';
  if (dockerArchitecture === 'amd64') return 'x86_64';
  return dockerArchitecture;
}

/** The resources an engine offers: `NCPU`·1024 CPU units and its memory in MiB (less any reservation). */
export function registeredResources(info: EngineInfo, reg: InstanceRegistration): InstanceResource[] {
  const memoryMiB = Math.max(0, Math.floor(info.memoryBytes / (1024 * 1024)) - (reg.reservedMemoryMiB ?? 0));
  return [
    { name: 'CPU', type: 'INTEGER', integerValue: info.cpus * 1024 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: memoryMiB },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: (reg.reservedPorts ?? []).map(String) },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
  ];
}

/**
 * ECS's `ecs.os-family` built-in attribute (task-placement-constraints.html, "Built-in attributes"):
 * `LINUX` for a Linux engine. Windows engines would need the Windows Server release and edition
 * (`WINDOWS_SERVER_2022_FULL`, …), which Docker does not report; they get none.
 */
function osFamily(osType: string): [string, string][] {
  return osType.toLowerCase() === 'linux' ? [['ecs.os-family', 'LINUX']] : [];
}

/** Engine-derived attributes, then the user's (which win on a clash). */
export function instanceAttributes(info: EngineInfo, reg: InstanceRegistration): Attribute[] {
  const merged = new Map<string, string>([
    ['ecs.os-type', info.osType || 'linux'],
    ...osFamily(info.osType || 'linux'),
    ['ecs.cpu-architecture', ecsArchitecture(info.architecture)],
    ...Object.entries(reg.attributes ?? {}),
  ]);
  return [...merged].map(([name, value]) => ({ name, value }));
}

export function containerInstanceArnOf(reg: Pick<InstanceRegistration, 'cluster' | 'instanceId'>): string {
  return arns.containerInstance(reg.cluster, reg.instanceId);
}

/**
 * The ContainerInstance record for an engine: a fresh one, or `existing` with what the engine
 * reports refreshed (its status, e.g. DRAINING, and anything else the control plane set are kept).
 */
export function instanceRecord(
  info: EngineInfo,
  reg: InstanceRegistration,
  now: number,
  existing?: ContainerInstance,
): ContainerInstance {
  const resources = registeredResources(info, reg);
  const fresh: ContainerInstance = {
    containerInstanceArn: containerInstanceArnOf(reg),
    ec2InstanceId: reg.instanceId,
    engineEndpoint: reg.endpoint,
    status: 'ACTIVE',
    agentConnected: true,
    registeredResources: resources,
    remainingResources: resources,
    attributes: instanceAttributes(info, reg),
    runningTasksCount: 0,
    pendingTasksCount: 0,
    registeredAt: now,
    versionInfo: { agentVersion, dockerVersion: `DockerVersion: ${info.serverVersion}` },
    tags: [],
  };
  if (!existing) return fresh;
  const { agentDisconnectedAt: _reconnected, ...rest } = existing;
  return {
    ...rest,
    engineEndpoint: fresh.engineEndpoint,
    agentConnected: true,
    registeredResources: fresh.registeredResources,
    attributes: mergeAttributes(existing.attributes, fresh.attributes),
    versionInfo: fresh.versionInfo,
  };
}

/** Attributes the agent reports replace their old values; attributes others put (custom ones) stay. */
function mergeAttributes(existing: readonly Attribute[], reported: readonly Attribute[]): Attribute[] {
  const names = new Set(reported.map((a) => a.name));
  return [...existing.filter((a) => !names.has(a.name)), ...reported];
}
