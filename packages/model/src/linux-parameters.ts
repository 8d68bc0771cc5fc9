import { z } from 'zod';
import { ecsObject, intAtLeast, intBetween } from './fields.js';

/** Linux capabilities as ECS names them (without Docker's `CAP_` prefix). */
export const KernelCapabilities = ecsObject({
  add: z.array(z.string().min(1)).optional(),
  drop: z.array(z.string().min(1)).optional(),
});

export const Device = ecsObject({
  hostPath: z.string().min(1),
  containerPath: z.string().min(1).optional(),
  permissions: z.array(z.enum(['read', 'write', 'mknod'])).optional(),
});
export type Device = z.output<typeof Device>;

export const Tmpfs = ecsObject({
  containerPath: z.string().min(1),
  /** MiB. */
  size: intAtLeast(1),
  mountOptions: z.array(z.string()).optional(),
});
export type Tmpfs = z.output<typeof Tmpfs>;

/** `linuxParameters`: what Docker's HostConfig offers beyond the basics. */
export const LinuxParameters = ecsObject({
  capabilities: KernelCapabilities.optional(),
  devices: z.array(Device).optional(),
  initProcessEnabled: z.boolean().optional(),
  /** MiB of /dev/shm. */
  sharedMemorySize: intAtLeast(1).optional(),
  tmpfs: z.array(Tmpfs).optional(),
  /** MiB of swap beyond memory; 0 turns swap off; absent: the host's setting. */
  maxSwap: intAtLeast(0).optional(),
  swappiness: intBetween(0, 100).optional(),
});
export type LinuxParameters = z.output<typeof LinuxParameters>;

/** A namespaced kernel parameter (`sysctl`). */
export const SystemControl = ecsObject({
  namespace: z.string().min(1),
  value: z.string(),
});
export type SystemControl = z.output<typeof SystemControl>;

/** GPUs (and inference accelerators, AWS-only) a container needs. */
export const ResourceRequirement = ecsObject({
  type: z.enum(['GPU', 'InferenceAccelerator']),
  value: z.string().min(1),
});
export type ResourceRequirement = z.output<typeof ResourceRequirement>;
