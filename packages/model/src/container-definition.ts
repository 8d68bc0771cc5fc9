import { z } from 'zod';
import { ecsName, ecsObject, ignored, intAtLeast, intBetween, KeyValuePair, show } from './fields.js';
import { LinuxParameters, ResourceRequirement, SystemControl } from './linux-parameters.js';
import { FirelensConfiguration, LogConfiguration } from './log-configuration.js';
import { secretFields } from './secrets.js';
import { MountPoint, VolumeFrom } from './volume.js';

export const TransportProtocol = z.enum(['tcp', 'udp']);
export type TransportProtocol = z.output<typeof TransportProtocol>;

/** `hostPort` 0 or absent means a dynamic host port (bridge mode). */
export const PortMapping = ecsObject({
  /** Required unless `containerPortRange` is set (port-range-rules.ts). */
  containerPort: intBetween(1, 65535).optional(),
  hostPort: intBetween(0, 65535).optional(),
  protocol: TransportProtocol.default('tcp'),
  name: z.string().max(64).optional(),
  appProtocol: z.enum(['http', 'http2', 'grpc']).optional(),
  /** `"first-last"`: every port of the range published, each on a host port of its own (docs/workloads.md). */
  containerPortRange: z.string().optional(),
  /** Output-only on ECS (the agent sets it); refused in a task definition. */
  hostPortRange: z.string().optional(),
});
export type PortMapping = z.output<typeof PortMapping>;

/** Docker HEALTHCHECK, ECS bounds and defaults (seconds). */
export const HealthCheck = ecsObject({
  command: z
    .array(z.string())
    .min(1)
    .refine((c) => c[0] === 'CMD' || c[0] === 'CMD-SHELL', {
      error: (iss) =>
        `must start with "CMD" or "CMD-SHELL" (got ${show((iss.input as unknown[] | undefined)?.[0])})`,
      params: { rule: 'health-check-command' },
    })
    .refine((c) => c.length >= 2, {
      error: 'must name a command after CMD or CMD-SHELL',
      params: { rule: 'health-check-command' },
    }),
  interval: intBetween(5, 300).default(30),
  timeout: intBetween(2, 60).default(5),
  retries: intBetween(1, 10).default(3),
  startPeriod: intBetween(0, 300).optional(),
});
export type HealthCheck = z.output<typeof HealthCheck>;

export const DependencyCondition = z.enum(['START', 'COMPLETE', 'SUCCESS', 'HEALTHY']);
export type DependencyCondition = z.output<typeof DependencyCondition>;

export const ContainerDependency = ecsObject({
  containerName: z.string().min(1),
  condition: DependencyCondition,
});
export type ContainerDependency = z.output<typeof ContainerDependency>;

/** Restart in place; ECS bounds: period 60–1800 s (default 300), at most 50 ignored codes. */
export const RestartPolicy = ecsObject({
  enabled: z.boolean(),
  ignoredExitCodes: z.array(z.number().int()).max(50).default([]),
  restartAttemptPeriod: intBetween(60, 1800).default(300),
});
export type RestartPolicy = z.output<typeof RestartPolicy>;

export const Ulimit = ecsObject({
  name: z.string(),
  softLimit: z.number().int(),
  hardLimit: z.number().int(),
});

export const HostEntry = ecsObject({ hostname: z.string(), ipAddress: z.string() });

export const ContainerDefinition = ecsObject({
  name: ecsName('a container name'),
  image: z.string().refine((v) => v.length > 0 && v.length <= 1024 && !/\s/.test(v), {
    error: (iss) => `must be an image reference without spaces (got ${show(iss.input)})`,
  }),
  cpu: intBetween(0, 10240 * 4).default(0),
  memory: intAtLeast(6).optional(),
  memoryReservation: intAtLeast(6).optional(),
  essential: z.boolean().default(true),
  portMappings: z.array(PortMapping).default([]),
  environment: z.array(KeyValuePair).default([]),
  command: z.array(z.string()).optional(),
  entryPoint: z.array(z.string()).optional(),
  workingDirectory: z.string().optional(),
  user: z.string().optional(),
  hostname: z.string().optional(),
  healthCheck: HealthCheck.optional(),
  dependsOn: z.array(ContainerDependency).optional(),
  startTimeout: intBetween(2, 600).optional(),
  stopTimeout: intBetween(0, 120).default(30),
  restartPolicy: RestartPolicy.optional(),
  dockerLabels: z.record(z.string(), z.string()).optional(),
  privileged: z.boolean().optional(),
  readonlyRootFilesystem: z.boolean().optional(),
  disableNetworking: z.boolean().optional(),
  interactive: z.boolean().optional(),
  pseudoTerminal: z.boolean().optional(),
  ulimits: z.array(Ulimit).optional(),
  extraHosts: z.array(HostEntry).optional(),
  dnsServers: z.array(z.string()).optional(),
  dnsSearchDomains: z.array(z.string()).optional(),
  /** Bridge mode: `name` or `name:alias` of another container of the task. */
  links: z.array(z.string().min(1)).optional(),
  mountPoints: z.array(MountPoint).optional(),
  volumesFrom: z.array(VolumeFrom).optional(),
  linuxParameters: LinuxParameters.optional(),
  systemControls: z.array(SystemControl).optional(),
  resourceRequirements: z.array(ResourceRequirement).optional(),
  /** Docker's `--security-opt` values (`no-new-privileges`, `label:…`, `apparmor:…`, `seccomp:…`). */
  dockerSecurityOptions: z.array(z.string().min(1)).optional(),
  versionConsistency: ignored('not-implemented'),
  logConfiguration: LogConfiguration.optional(),
  // References only; values are resolved when a container is created (see secrets.ts).
  ...secretFields,
  firelensConfiguration: FirelensConfiguration.optional(),
  credentialSpecs: ignored('aws-only'),
});
export type ContainerDefinition = z.output<typeof ContainerDefinition>;
export type ContainerDefinitionInput = z.input<typeof ContainerDefinition>;
