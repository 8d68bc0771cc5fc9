import type { AgentSettings, ImagePullBehavior } from '@baton-ecs/reconciler';
import { UsageError } from './usage-error.js';

/**
 * The ECS agent's configuration variables that have a Baton option, read as the agent reads them
 * (https://github.com/aws/amazon-ecs-agent/blob/master/README.md). Others (ECS_CONTAINER_STOP_TIMEOUT:
 * Baton has no agent-wide stop timeout; containers default to ECS's 30 s) are not read.
 */
export interface AgentEnvironment {
  readonly settings: Partial<AgentSettings>;
  readonly reservedPorts?: readonly number[];
  readonly reservedMemoryMiB?: number;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly cluster?: string;
}

const pullBehaviours: readonly ImagePullBehavior[] = ['default', 'always', 'once', 'prefer-cached'];

export function agentEnvironment(env: NodeJS.ProcessEnv): AgentEnvironment {
  const settings: { -readonly [K in keyof AgentSettings]?: AgentSettings[K] } = {};
  const pull = env.ECS_IMAGE_PULL_BEHAVIOR;
  if (pull !== undefined) {
    if (!pullBehaviours.includes(pull as ImagePullBehavior))
      throw new UsageError(
        `ECS_IMAGE_PULL_BEHAVIOR: must be one of ${pullBehaviours.join(', ')} (got "${pull}")`,
      );
    settings.imagePullBehavior = pull as ImagePullBehavior;
  }
  if (env.ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION !== undefined)
    settings.taskCleanupWaitMs = goDuration(
      'ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION',
      env.ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION,
    );
  if (env.ECS_CONTAINER_START_TIMEOUT !== undefined)
    settings.defaultStartTimeoutSeconds =
      goDuration('ECS_CONTAINER_START_TIMEOUT', env.ECS_CONTAINER_START_TIMEOUT) / 1000;
  let reservedPorts: number[] | undefined;
  if (env.ECS_RESERVED_PORTS !== undefined) {
    const v = jsonOf('ECS_RESERVED_PORTS', env.ECS_RESERVED_PORTS);
    if (!Array.isArray(v) || !v.every((p) => Number.isInteger(p) && p >= 0 && p <= 65535))
      throw new UsageError(
        `ECS_RESERVED_PORTS: must be a JSON array of ports, e.g. [22, 2375] (got ${env.ECS_RESERVED_PORTS})`,
      );
    reservedPorts = v as number[];
  }
  let reservedMemoryMiB: number | undefined;
  if (env.ECS_RESERVED_MEMORY !== undefined) {
    reservedMemoryMiB = Number(env.ECS_RESERVED_MEMORY);
    if (!Number.isInteger(reservedMemoryMiB) || reservedMemoryMiB < 0)
      throw new UsageError(
        `ECS_RESERVED_MEMORY: must be a whole number of MiB (got "${env.ECS_RESERVED_MEMORY}")`,
      );
  }
  let attributes: Record<string, string> | undefined;
  if (env.ECS_INSTANCE_ATTRIBUTES !== undefined) {
    const v = jsonOf('ECS_INSTANCE_ATTRIBUTES', env.ECS_INSTANCE_ATTRIBUTES);
    if (
      typeof v !== 'object' ||
      v === null ||
      Array.isArray(v) ||
      !Object.values(v).every((x) => typeof x === 'string')
    )
      throw new UsageError(
        'ECS_INSTANCE_ATTRIBUTES: must be a JSON object of strings, e.g. {"stack": "prod"}',
      );
    attributes = v as Record<string, string>;
  }
  return {
    settings,
    ...(reservedPorts ? { reservedPorts } : {}),
    ...(reservedMemoryMiB !== undefined ? { reservedMemoryMiB } : {}),
    ...(attributes ? { attributes } : {}),
    ...(env.ECS_CLUSTER ? { cluster: env.ECS_CLUSTER } : {}),
  };
}

const units: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration ("3h", "1h30m", "90s", "500ms") in milliseconds, as the agent's variables take them. */
export function goDuration(name: string, text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new UsageError(`${name}: must be a duration such as 3h, 10m or 30s (got "${text}")`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]!]!, 0);
}

function jsonOf(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${name}: not valid JSON (${text})`);
  }
}
