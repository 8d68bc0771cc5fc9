import { clusterNameOf, type Task, type TaskDefinition, type Volume } from '@baton-ecs/model';
import { deepEqual } from './deep-equal.js';
import { batonLabels, taskIdOf } from './labels.js';
import type {
  ActionOutcome,
  ContainerMountSpec,
  CreateVolumeAction,
  ObservedVolume,
  VolumeSpec,
} from './types.js';

const unsafe = /[^A-Za-z0-9_.-]/g;

/** The engine name of a task-scoped volume: one per task, deterministic so a create is never doubled. */
export function taskVolumeEngineName(taskArn: string, volumeName: string): string {
  return `baton-${clusterNameOf(taskArn)}-${taskIdOf(taskArn)}-${volumeName}`.replace(unsafe, '_');
}

/** What one task-definition volume becomes on the engine. */
export type ResolvedVolume =
  | { readonly kind: 'bind'; readonly name: string; readonly hostPath: string }
  | { readonly kind: 'task'; readonly name: string; readonly spec: VolumeSpec }
  | {
      readonly kind: 'shared';
      readonly name: string;
      readonly spec: VolumeSpec;
      readonly autoprovision: boolean;
    }
  /** EFS, FSx: AWS-only, kept and warned at registration; a mount of one gets nothing. */
  | { readonly kind: 'unsupported'; readonly name: string };

/**
 * ECS's volume kinds on Docker: `host.sourcePath` is a bind mount; no `host` and no docker
 * configuration is an empty volume the task's containers share (a task-scoped local volume);
 * `dockerVolumeConfiguration` is a Docker volume, task-scoped (named per task) or shared (named as
 * the volume).
 */
export function resolveVolume(
  task: Pick<Task, 'taskArn' | 'containerInstanceArn'>,
  v: Volume,
): ResolvedVolume {
  const { taskArn } = task;
  if (v.host?.sourcePath !== undefined) return { kind: 'bind', name: v.name, hostPath: v.host.sourcePath };
  const raw = v as Record<string, unknown>;
  if (raw.efsVolumeConfiguration !== undefined || raw.fsxWindowsFileServerVolumeConfiguration !== undefined)
    return { kind: 'unsupported', name: v.name };
  const docker = v.dockerVolumeConfiguration;
  if (docker?.scope === 'shared') {
    return {
      kind: 'shared',
      name: v.name,
      autoprovision: docker.autoprovision,
      spec: {
        name: v.name,
        driver: docker.driver ?? 'local',
        driverOpts: docker.driverOpts ?? {},
        labels: docker.labels ?? {},
      },
    };
  }
  return {
    kind: 'task',
    name: v.name,
    spec: {
      name: taskVolumeEngineName(taskArn, v.name),
      driver: docker?.driver ?? 'local',
      driverOpts: docker?.driverOpts ?? {},
      labels: {
        ...(docker?.labels ?? {}),
        [batonLabels.cluster]: clusterNameOf(taskArn),
        [batonLabels.taskArn]: taskArn,
        [batonLabels.volumeName]: v.name,
        ...(task.containerInstanceArn ? { [batonLabels.containerInstance]: task.containerInstanceArn } : {}),
      },
    },
  };
}

/** The task's volumes: what to create, whether a container's mounts are ready, and why not if never. */
export interface TaskVolumes {
  readonly creates: readonly CreateVolumeAction[];
  /** A reason the task cannot run (a shared volume missing or configured differently). */
  readonly failure?: string;
  /** Whether every volume `volumeNames` names exists on the engine (bind mounts always do). */
  readonly ready: (volumeNames: readonly string[]) => boolean;
  /** The engine mounts of a container's mountPoints. */
  readonly mounts: (
    mountPoints: readonly { sourceVolume: string; containerPath: string; readOnly: boolean }[],
  ) => ContainerMountSpec[];
}

export const volumeStoppedReasons = {
  missing: (name: string) =>
    `CannotCreateVolumeError: volume '${name}' does not exist and autoprovision is set to false`,
  differs: (name: string, what: string, existing: unknown, expected: unknown) =>
    `CannotCreateVolumeError: shared volume '${name}' exists with different ${what}: existing ${JSON.stringify(existing)}, expected ${JSON.stringify(expected)}`,
  createFailed: (name: string, message: string) => `CannotCreateVolumeError: volume '${name}': ${message}`,
} as const;

/** A shared volume that exists must match what the task definition asks for (ECS's full-config match). */
function sharedMismatch(spec: VolumeSpec, found: ObservedVolume): string | undefined {
  if (found.driver !== spec.driver)
    return volumeStoppedReasons.differs(spec.name, 'driver', found.driver, spec.driver);
  if (!deepEqual(found.options, spec.driverOpts))
    return volumeStoppedReasons.differs(spec.name, 'driverOpts', found.options, spec.driverOpts);
  if (!deepEqual(found.labels, spec.labels))
    return volumeStoppedReasons.differs(spec.name, 'labels', found.labels, spec.labels);
  return undefined;
}

export function taskVolumes(
  task: Pick<Task, 'taskArn' | 'containerInstanceArn'>,
  td: Pick<TaskDefinition, 'volumes'>,
  volumes: ReadonlyMap<string, ObservedVolume>,
  outcomes: readonly ActionOutcome[],
): TaskVolumes {
  const { taskArn } = task;
  const resolved = new Map((td.volumes ?? []).map((v) => [v.name, resolveVolume(task, v)]));
  const creates: CreateVolumeAction[] = [];
  let failure: string | undefined;
  for (const r of resolved.values()) {
    if (r.kind !== 'task' && r.kind !== 'shared') continue;
    const found = volumes.get(r.spec.name);
    const failed = outcomes.find((o) => o.action === 'CreateVolume' && o.containerName === r.name && !o.ok);
    if (failed) failure ??= volumeStoppedReasons.createFailed(r.spec.name, failed.message ?? 'create failed');
    else if (r.kind === 'shared' && found) failure ??= sharedMismatch(r.spec, found);
    else if (r.kind === 'shared' && !r.autoprovision) failure ??= volumeStoppedReasons.missing(r.spec.name);
    else if (!found) creates.push({ type: 'CreateVolume', taskArn, volumeName: r.name, spec: r.spec });
  }
  const exists = (name: string) => {
    const r = resolved.get(name);
    return !r || r.kind === 'bind' || r.kind === 'unsupported' || volumes.has(r.spec.name);
  };
  return {
    creates,
    ...(failure !== undefined ? { failure } : {}),
    ready: (names) => names.every(exists),
    mounts: (mountPoints) =>
      mountPoints.flatMap((m): ContainerMountSpec[] => {
        const r = resolved.get(m.sourceVolume);
        if (!r || r.kind === 'unsupported') return [];
        const source = r.kind === 'bind' ? r.hostPath : r.spec.name;
        return [
          {
            type: r.kind === 'bind' ? 'bind' : 'volume',
            source,
            target: m.containerPath,
            readOnly: m.readOnly,
          },
        ];
      }),
  };
}

/**
 * Task-scoped volumes this instance's agent owns that no task needs any more: those of tasks that
 * are STOPPED or gone, once none of the task's containers is left on the engine (ECS removes a
 * task's volumes after its containers).
 */
export function volumesToRemove(
  volumes: readonly ObservedVolume[],
  owned: (labels: Readonly<Record<string, string>>) => boolean,
  live: (taskArn: string) => boolean,
  hasContainers: (taskArn: string) => boolean,
): ObservedVolume[] {
  return volumes.filter((v) => {
    if (!owned(v.labels)) return false;
    const taskArn = v.labels[batonLabels.taskArn] as string;
    return !live(taskArn) && !hasContainers(taskArn);
  });
}
