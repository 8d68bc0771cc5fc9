import type { ContainerDefinition, KeyValuePair, Task, TaskDefinition } from '@baton-ecs/model';
import { batonLabels, containerEngineName, containerLabels } from './labels.js';
import { linuxSpec } from './linux-settings.js';
import { containerLogSpec } from './log-config.js';
import { containerPortSpecs } from './port-mappings.js';
import { defaultAgentSettings } from './settings.js';
import type { ContainerLimits } from './task-limits.js';
import { needsPauseContainer, pauseEngineName } from './task-network.js';
import type { TaskVolumes } from './task-volumes.js';
import type { ContainerSpec } from './types.js';

/** ECS's agent never gives a container fewer than 2 CPU shares (Docker's minimum). */
const minimumCpuShares = 2;

/**
 * A container definition with the task's `containerOverrides` applied (ECS's RunTask overrides),
 * and its image pinned to a digest when the task's record says so (the control plane resolved the
 * deployment's images: every task of it runs the same digest).
 */
export function effectiveContainerDefinition(
  task: Pick<Task, 'overrides'> & { readonly containers?: Task['containers'] },
  definition: ContainerDefinition,
): ContainerDefinition {
  const recorded = task.containers?.find((c) => c.name === definition.name)?.image;
  const def =
    recorded !== undefined && recorded !== definition.image && /@sha256:[0-9a-f]{64}$/.test(recorded)
      ? { ...definition, image: recorded }
      : definition;
  const o = task.overrides.containerOverrides.find((c) => c.name === def.name);
  if (!o) return def;
  return {
    ...def,
    ...(o.command !== undefined ? { command: o.command } : {}),
    ...(o.environment !== undefined ? { environment: mergeEnvironment(def.environment, o.environment) } : {}),
    ...(o.cpu !== undefined ? { cpu: o.cpu } : {}),
    ...(o.memory !== undefined ? { memory: o.memory } : {}),
    ...(o.memoryReservation !== undefined ? { memoryReservation: o.memoryReservation } : {}),
  };
}

/** Overrides replace variables of the same name and add the rest. */
function mergeEnvironment(base: readonly KeyValuePair[], extra: readonly KeyValuePair[]): KeyValuePair[] {
  const names = new Set(extra.map((e) => e.name));
  return [...base.filter((e) => !names.has(e.name)), ...extra];
}

/** The engine-neutral create request for one container of a task. */
export function containerSpec(
  task: Pick<
    Task,
    'taskArn' | 'clusterArn' | 'taskDefinitionArn' | 'group' | 'containerInstanceArn' | 'overrides'
  > & { readonly containers?: Task['containers'] },
  td: Pick<TaskDefinition, 'networkMode' | 'pidMode' | 'ipcMode'>,
  definition: ContainerDefinition,
  volumes?: Pick<TaskVolumes, 'mounts'>,
  settings: { readonly firelensDir: string } = defaultAgentSettings,
  limits?: ContainerLimits,
): ContainerSpec {
  const def = effectiveContainerDefinition(task, definition);
  // Logging: drivers, awslogs collection, FireLens wiring (log-config.ts); the router's socket directory is a bind.
  const logging = containerLogSpec(task.taskArn, def, settings.firelensDir);
  const mounts = [...(volumes?.mounts(def.mountPoints ?? []) ?? []), ...(logging.mounts ?? [])];
  const networkMode = td.networkMode === 'host' || td.networkMode === 'none' ? td.networkMode : 'bridge';
  // awsvpc: the task's namespace is its pause container's, which publishes the ports and carries the
  // task-wide hostname and DNS settings (task-network.ts); the container itself only joins it.
  const awsvpc = td.networkMode === 'awsvpc';
  const pause = needsPauseContainer(td) ? pauseEngineName(task.taskArn) : undefined;
  const labels = {
    ...(def.dockerLabels ?? {}),
    ...containerLabels(task, def.name, def.stopTimeout),
  };
  return {
    name: containerEngineName(task.taskArn, def.name),
    image: def.image,
    ...(def.command !== undefined ? { command: def.command } : {}),
    ...(def.entryPoint !== undefined ? { entryPoint: def.entryPoint } : {}),
    environment: def.environment,
    ...(def.workingDirectory !== undefined ? { workingDirectory: def.workingDirectory } : {}),
    ...(def.user !== undefined ? { user: def.user } : {}),
    ...(def.hostname !== undefined && networkMode === 'bridge' && !awsvpc ? { hostname: def.hostname } : {}),
    cpuShares: Math.max(def.cpu, minimumCpuShares),
    ...(limits?.memoryMiB !== undefined
      ? { memoryMiB: limits.memoryMiB }
      : def.memory !== undefined
        ? { memoryMiB: def.memory }
        : {}),
    ...(limits?.cpus !== undefined ? { cpus: limits.cpus } : {}),
    ...(gpusOf(def) > 0 ? { gpus: gpusOf(def) } : {}),
    ...linuxSpec(def),
    ...(def.memoryReservation !== undefined ? { memoryReservationMiB: def.memoryReservation } : {}),
    networkMode,
    ...(awsvpc && pause ? { joinNetworkOf: pause } : {}),
    // awsvpc: published by the pause container (task-network.ts).
    portMappings: awsvpc ? [] : containerPortSpecs(def, networkMode),
    ...(def.healthCheck
      ? {
          healthCheck: {
            command: def.healthCheck.command,
            intervalSeconds: def.healthCheck.interval,
            timeoutSeconds: def.healthCheck.timeout,
            retries: def.healthCheck.retries,
            startPeriodSeconds: def.healthCheck.startPeriod ?? 0,
          },
        }
      : {}),
    labels,
    stopTimeoutSeconds: def.stopTimeout,
    ...(def.privileged !== undefined ? { privileged: def.privileged } : {}),
    ...(def.readonlyRootFilesystem !== undefined
      ? { readonlyRootFilesystem: def.readonlyRootFilesystem }
      : {}),
    ...(def.disableNetworking !== undefined ? { disableNetworking: def.disableNetworking } : {}),
    ...(def.interactive !== undefined ? { interactive: def.interactive } : {}),
    ...(def.pseudoTerminal !== undefined ? { pseudoTerminal: def.pseudoTerminal } : {}),
    ...(def.ulimits !== undefined ? { ulimits: def.ulimits } : {}),
    ...(def.extraHosts !== undefined && !awsvpc ? { extraHosts: def.extraHosts } : {}),
    ...(def.dnsServers !== undefined && !awsvpc ? { dnsServers: def.dnsServers } : {}),
    ...(def.dnsSearchDomains !== undefined && !awsvpc ? { dnsSearchDomains: def.dnsSearchDomains } : {}),
    ...(def.links?.length && networkMode === 'bridge'
      ? {
          links: def.links.map((l) => {
            const [name, alias] = l.split(':') as [string, string | undefined];
            return { container: containerEngineName(task.taskArn, name), alias: alias ?? name };
          }),
        }
      : {}),
    // `task`: one namespace shared by the task's containers, held by the pause container (as ECS's agent does).
    ...(td.pidMode === 'host'
      ? { pidMode: 'host' as const }
      : td.pidMode === 'task' && pause
        ? { pidMode: `container:${pause}` as const }
        : {}),
    ...(td.ipcMode === 'host' || td.ipcMode === 'none'
      ? { ipcMode: td.ipcMode }
      : td.ipcMode === 'task' && pause
        ? { ipcMode: `container:${pause}` as const }
        : {}),
    ...(mounts.length > 0 ? { mounts } : {}),
    ...(def.volumesFrom?.length
      ? {
          volumesFrom: def.volumesFrom.map((v) => ({
            container: containerEngineName(task.taskArn, v.sourceContainer),
            readOnly: v.readOnly,
          })),
        }
      : {}),
    ...(logging.logConfig ? { logConfig: logging.logConfig } : {}),
  };
}

/** GPUs a container asks for in `resourceRequirements`. */
export function gpusOf(def: Pick<ContainerDefinition, 'resourceRequirements'>): number {
  return (def.resourceRequirements ?? [])
    .filter((r) => r.type === 'GPU')
    .reduce((sum, r) => sum + Number(r.value), 0);
}

/** The stop timeout a labelled container asks for, or `fallback`. */
export function labelledStopTimeout(labels: Readonly<Record<string, string>>, fallback: number): number {
  const raw = labels[batonLabels.stopTimeout];
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}
