import type { SchedulerTask, SchedulerTaskDefinition } from './snapshot.js';

/**
 * Host ports ECS reserves on every container instance — SSH, the Docker API
 * and the agent's own ports (introspection, credentials, metadata): 22, 2375,
 * 2376, 51678, 51679 and 51680 (developer guide, ecs-agent-config.html,
 * ECS_RESERVED_PORTS; API reference ContainerInstance.remainingResources).
 * An instance's registered PORTS add to these.
 */
export const ECS_RESERVED_TCP_PORTS: readonly number[] = [22, 2375, 2376, 51678, 51679, 51680];

/** What one task holds on its instance until it is STOPPED. */
export interface Reservation {
  /** CPU units (1024 per core). */
  readonly cpu: number;
  /** MiB. */
  readonly memory: number;
  /** Static host ports; dynamic ones (hostPort 0 or absent in bridge mode) hold none. */
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
}

export const emptyReservation: Reservation = { cpu: 0, memory: 0, tcpPorts: [], udpPorts: [] };

/**
 * What a new task of this definition needs: task-level cpu/memory when set,
 * else the sum over containers (memoryReservation counts when set, else
 * memory), and its static host ports.
 */
export function taskDefinitionReservation(td: SchedulerTaskDefinition): Reservation {
  const ports = staticHostPorts(td);
  return { cpu: taskCpu(td, undefined), memory: taskMemory(td, undefined), ...ports };
}

/**
 * What an existing task holds: its definition's reservation with the task's
 * overrides applied, plus any host port its containers are bound to (a
 * dynamic port, once bound, is as taken as a static one).
 */
export function taskReservation(task: SchedulerTask, td: SchedulerTaskDefinition | undefined): Reservation {
  const base = td === undefined ? emptyReservation : staticHostPorts(td);
  const overridden = hasResourceOverrides(task);
  const cpu = overridden || td === undefined ? taskCpu(td, task) : taskCpu(td, undefined);
  const memory = overridden || td === undefined ? taskMemory(td, task) : taskMemory(td, undefined);
  return { cpu, memory, ...withBoundPorts(base, task) };
}

/** Whether the task's own fields change what its definition reserves. */
export function hasResourceOverrides(task: SchedulerTask): boolean {
  return (
    task.cpu !== undefined ||
    task.memory !== undefined ||
    task.overrides?.cpu !== undefined ||
    task.overrides?.memory !== undefined ||
    (task.overrides?.containerOverrides.length ?? 0) > 0
  );
}

/** Adds the host ports in the task's network bindings to `base`'s ports; returns `base` when none are new. */
export function withBoundPorts<R extends Pick<Reservation, 'tcpPorts' | 'udpPorts'>>(
  base: R,
  task: SchedulerTask,
): Pick<Reservation, 'tcpPorts' | 'udpPorts'> {
  let tcp: number[] | undefined;
  let udp: number[] | undefined;
  for (const container of task.containers ?? []) {
    for (const binding of container.networkBindings) {
      const port = binding.hostPort;
      if (port === undefined || port <= 0) continue;
      if (binding.protocol === 'udp') {
        if (!(udp ?? base.udpPorts).includes(port)) {
          udp ??= [...base.udpPorts];
          udp.push(port);
        }
      } else if (!(tcp ?? base.tcpPorts).includes(port)) {
        tcp ??= [...base.tcpPorts];
        tcp.push(port);
      }
    }
  }
  return { tcpPorts: tcp ?? base.tcpPorts, udpPorts: udp ?? base.udpPorts };
}

/**
 * Static host ports by protocol. Host networking binds each containerPort on
 * the host; bridge (and awsvpc, which Baton runs on a bridge) binds only
 * explicit non-zero hostPorts; `none` binds nothing.
 */
export function staticHostPorts(
  td: Pick<SchedulerTaskDefinition, 'networkMode' | 'containerDefinitions'>,
): Pick<Reservation, 'tcpPorts' | 'udpPorts'> {
  const tcp: number[] = [];
  const udp: number[] = [];
  if (td.networkMode === 'none') return { tcpPorts: tcp, udpPorts: udp };
  for (const container of td.containerDefinitions) {
    for (const mapping of container.portMappings) {
      const port = td.networkMode === 'host' ? mapping.hostPort || mapping.containerPort : mapping.hostPort;
      if (port === undefined || port <= 0) continue;
      const list = mapping.protocol === 'udp' ? udp : tcp;
      if (!list.includes(port)) list.push(port);
    }
  }
  return { tcpPorts: tcp, udpPorts: udp };
}

function containerOverride(task: SchedulerTask | undefined, name: string) {
  return task?.overrides?.containerOverrides.find((o) => o.name === name);
}

function taskCpu(td: SchedulerTaskDefinition | undefined, task: SchedulerTask | undefined): number {
  const taskLevel = task?.overrides?.cpu ?? task?.cpu ?? td?.cpu;
  if (taskLevel !== undefined) return toUnits(taskLevel);
  let sum = 0;
  for (const c of td?.containerDefinitions ?? []) sum += containerOverride(task, c.name)?.cpu ?? c.cpu;
  return sum;
}

function taskMemory(td: SchedulerTaskDefinition | undefined, task: SchedulerTask | undefined): number {
  const taskLevel = task?.overrides?.memory ?? task?.memory ?? td?.memory;
  if (taskLevel !== undefined) return toUnits(taskLevel);
  let sum = 0;
  for (const c of td?.containerDefinitions ?? []) {
    const o = containerOverride(task, c.name);
    sum += o?.memoryReservation ?? c.memoryReservation ?? o?.memory ?? c.memory ?? 0;
  }
  return sum;
}

function toUnits(value: string): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : 0;
}
