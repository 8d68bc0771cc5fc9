import { z } from 'zod';
import { ecsObject, ignored } from './fields.js';

/**
 * A Docker volume the task uses (`dockerVolumeConfiguration`). `task` scope: created for the task and
 * removed after it; `shared`: outlives tasks and is found by its name.
 */
export const DockerVolumeConfiguration = ecsObject({
  scope: z.enum(['task', 'shared']).default('task'),
  autoprovision: z.boolean().default(false),
  driver: z.string().min(1).optional(),
  driverOpts: z.record(z.string(), z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});
export type DockerVolumeConfiguration = z.output<typeof DockerVolumeConfiguration>;

/** `host.sourcePath` set: a bind mount of that host path. Absent: a task-scoped empty volume. */
export const HostVolumeProperties = ecsObject({ sourcePath: z.string().min(1).optional() });

/** A task definition volume: exactly one kind, or none (an empty volume the task's containers share). */
export const Volume = ecsObject({
  name: z.string().refine((v) => /^[A-Za-z0-9_-]{1,255}$/.test(v), {
    error: 'a volume name must be 1–255 letters, digits, hyphens or underscores',
  }),
  host: HostVolumeProperties.optional(),
  dockerVolumeConfiguration: DockerVolumeConfiguration.optional(),
  efsVolumeConfiguration: ignored('aws-only'),
  fsxWindowsFileServerVolumeConfiguration: ignored('aws-only'),
  configuredAtLaunch: ignored('aws-only'),
});
export type Volume = z.output<typeof Volume>;

/** A container's mount of a task volume. */
export const MountPoint = ecsObject({
  sourceVolume: z.string().min(1),
  containerPath: z.string().refine((p) => p.startsWith('/'), { error: 'must be an absolute path' }),
  readOnly: z.boolean().default(false),
});
export type MountPoint = z.output<typeof MountPoint>;

/** Every volume of another container of the task, mounted at the same paths. */
export const VolumeFrom = ecsObject({
  sourceContainer: z.string().min(1),
  readOnly: z.boolean().default(false),
});
export type VolumeFrom = z.output<typeof VolumeFrom>;
