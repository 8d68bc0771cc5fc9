import type { Container, NetworkBinding } from '@baton-ecs/model';
import type { ContainerView } from './container-view.js';
import { containerHealth } from './health.js';
import type { ObservedPortBinding } from './types.js';

/** ECS-shaped container ARN, derived from the task's so it is stable across agent restarts. */
export function containerArnOf(taskArn: string, containerName: string): string {
  return `${taskArn.replace(':task/', ':container/')}/${containerName}`;
}

export function networkBindings(ports: readonly ObservedPortBinding[]): NetworkBinding[] {
  return ports
    .map((p) => ({
      bindIP: p.hostIp,
      containerPort: p.containerPort,
      hostPort: p.hostPort,
      protocol: p.protocol,
    }))
    .sort(
      (a, b) =>
        a.containerPort - b.containerPort ||
        a.protocol.localeCompare(b.protocol) ||
        a.hostPort - b.hostPort ||
        a.bindIP.localeCompare(b.bindIP),
    );
}

export const containerReasons = {
  outOfMemory: 'OutOfMemoryError: Container killed due to memory usage',
  removed: 'CannotInspectContainerError: the container was removed from the engine',
  startFailed: (message: string) => `CannotStartContainerError: ${message}`,
} as const;

/**
 * The Task record's entry for one container: the previous entry (fields the agent does not own are
 * kept) updated with what the engine shows. `taskStopped` marks never-started containers STOPPED.
 */
export function containerRecord(taskArn: string, view: ContainerView, taskStopped: boolean): Container {
  const prev = view.record;
  const o = view.observed;
  const lastStatus = view.running
    ? 'RUNNING'
    : view.exited || view.lost || taskStopped
      ? 'STOPPED'
      : 'PENDING';
  // A start later than the one recorded is a restart in place (the agent starts a container once).
  const restarted =
    prev?.startedAt !== undefined && view.startedAt !== undefined && view.startedAt > prev.startedAt ? 1 : 0;
  const restartCount = (prev?.restartCount ?? 0) + restarted;
  const reason = o?.oomKilled
    ? containerReasons.outOfMemory
    : o?.error
      ? containerReasons.startFailed(o.error)
      : view.lost
        ? containerReasons.removed
        : undefined;
  const {
    runtimeId: _r,
    exitCode: _e,
    reason: _re,
    startedAt: _s,
    finishedAt: _f,
    restartCount: _rc,
    ...kept
  } = prev ?? { name: view.def.name, lastStatus: 'PENDING', healthStatus: 'UNKNOWN', networkBindings: [] };
  return {
    ...kept,
    name: view.def.name,
    containerArn: containerArnOf(taskArn, view.def.name),
    taskArn,
    image: view.def.image,
    // A container created from `repo@sha256:…` (a pinned image) reports its digest, as ECS does.
    ...(o && /@sha256:[0-9a-f]{64}$/.test(o.image)
      ? { imageDigest: o.image.slice(o.image.lastIndexOf('@') + 1) }
      : {}),
    ...(o ? { runtimeId: o.id } : prev?.runtimeId !== undefined ? { runtimeId: prev.runtimeId } : {}),
    lastStatus,
    ...(view.exitCode !== undefined && !view.running ? { exitCode: view.exitCode } : {}),
    ...(reason !== undefined ? { reason } : {}),
    healthStatus: containerHealth(view),
    networkBindings: view.running && o ? networkBindings(o.portBindings) : [],
    ...(view.def.cpu > 0 ? { cpu: String(view.def.cpu) } : {}),
    ...(view.def.memory !== undefined ? { memory: String(view.def.memory) } : {}),
    ...(view.def.memoryReservation !== undefined
      ? { memoryReservation: String(view.def.memoryReservation) }
      : {}),
    ...(view.startedAt !== undefined ? { startedAt: view.startedAt } : {}),
    ...(view.finishedAt !== undefined ? { finishedAt: view.finishedAt } : {}),
    ...(restartCount > 0 ? { restartCount } : {}),
  };
}
