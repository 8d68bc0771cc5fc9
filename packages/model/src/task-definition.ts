import { z } from 'zod';
import { ContainerDefinition } from './container-definition.js';
import { ecsName, ecsObject, ignored, show, Tag, Timestamp } from './fields.js';
import { TaskDefinitionPlacementConstraint } from './placement.js';
import { Volume } from './volume.js';

/**
 * `awsvpc` is accepted so Fargate task definitions run unchanged; Baton runs such tasks on a bridge
 * network and publishes their ports (see docs/workloads.md).
 */
export const NetworkMode = z.enum(['bridge', 'host', 'none', 'awsvpc']);
export type NetworkMode = z.output<typeof NetworkMode>;

export const TaskDefinitionStatus = z.enum(['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS']);
export type TaskDefinitionStatus = z.output<typeof TaskDefinitionStatus>;

/**
 * Task-level CPU: ECS takes "256", 256 or "0.25 vCPU" and stores CPU units as
 * a string ("256"); 1 vCPU = 1024 units.
 */
export const TaskCpu = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const m = /^\s*(\d*\.?\d+)\s*(vcpus?)?\s*$/i.exec(String(v));
  const units = m ? (m[2] ? Number(m[1]) * 1024 : Number(m[1])) : Number.NaN;
  if (!Number.isInteger(units) || units < 128 || units > 196608) {
    ctx.addIssue({
      code: 'custom',
      message: `must be CPU units (128–196608) or vCPUs such as "0.5 vCPU" (got ${show(v)})`,
      params: { rule: 'task-cpu' },
    });
    return z.NEVER;
  }
  return String(units);
});

/**
 * Task-level memory in MiB: 512, "512", "1 GB", "1GB", "0.5 GiB" (task_definition_parameters.html, "Task
 * size": "an integer using MiB … or as a string using GB"); NaN when it is none of those. The one
 * reading of the field: the schema and the cross-field rules both use it.
 */
export function memoryValueMiB(v: unknown): number {
  if (typeof v !== 'number' && typeof v !== 'string') return Number.NaN;
  const m = /^\s*(\d*\.?\d+)\s*(gb|mb|mib|gib)?\s*$/i.exec(String(v));
  return m ? (m[2] && /^g/i.test(m[2]) ? Number(m[1]) * 1024 : Number(m[1])) : Number.NaN;
}

/** Task-level memory: "512", 512 (MiB) or "1 GB"; stored as MiB in a string. */
export const TaskMemory = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const mib = memoryValueMiB(v);
  if (!Number.isInteger(mib) || mib < 6) {
    ctx.addIssue({
      code: 'custom',
      message: `must be MiB (at least 6) or a size such as "1 GB" (got ${show(v)})`,
      params: { rule: 'task-memory' },
    });
    return z.NEVER;
  }
  return String(mib);
});

export const RuntimePlatform = ecsObject({
  cpuArchitecture: z.enum(['X86_64', 'ARM64']).optional(),
  operatingSystemFamily: z.string().optional(),
});

export const TaskDefinition = ecsObject({
  family: ecsName('family'),
  containerDefinitions: z.array(ContainerDefinition).min(1).max(10),
  networkMode: NetworkMode.default('bridge'),
  cpu: TaskCpu.optional(),
  memory: TaskMemory.optional(),
  placementConstraints: z.array(TaskDefinitionPlacementConstraint).max(10).default([]),
  runtimePlatform: RuntimePlatform.optional(),
  pidMode: z.enum(['host', 'task']).optional(),
  ipcMode: z.enum(['host', 'task', 'none']).optional(),
  tags: z.array(Tag).max(50).default([]),
  // Assigned by the store on registration; present in ECS's describe output.
  taskDefinitionArn: z.string().optional(),
  revision: z.number().int().min(1).optional(),
  status: TaskDefinitionStatus.default('ACTIVE'),
  registeredAt: Timestamp.optional(),
  deregisteredAt: Timestamp.optional(),
  volumes: z.array(Volume).optional(),
  requiresCompatibilities: ignored('aws-only'),
  taskRoleArn: ignored('aws-only'),
  executionRoleArn: ignored('aws-only'),
  proxyConfiguration: ignored('aws-only'),
  inferenceAccelerators: ignored('aws-only'),
  ephemeralStorage: ignored('aws-only'),
  enableFaultInjection: ignored('aws-only'),
  requiresAttributes: ignored('output-only'),
  compatibilities: ignored('output-only'),
  registeredBy: ignored('output-only'),
  deleteRequestedAt: ignored('output-only'),
});
export type TaskDefinition = z.output<typeof TaskDefinition>;
export type TaskDefinitionInput = z.input<typeof TaskDefinition>;

/** CPU units the task reserves: the task-level value, else the sum of its containers'. */
export function taskCpuUnits(td: Pick<TaskDefinition, 'cpu' | 'containerDefinitions'>): number {
  if (td.cpu !== undefined) return Number(td.cpu);
  return td.containerDefinitions.reduce((sum, c) => sum + c.cpu, 0);
}

/**
 * Memory (MiB) the scheduler reserves for the task: the task-level value when
 * set, else per container `memoryReservation` when set, else `memory`.
 */
export function taskMemoryMiB(td: Pick<TaskDefinition, 'memory' | 'containerDefinitions'>): number {
  if (td.memory !== undefined) return Number(td.memory);
  return td.containerDefinitions.reduce((sum, c) => sum + (c.memoryReservation ?? c.memory ?? 0), 0);
}
