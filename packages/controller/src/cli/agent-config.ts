import { parseArgs } from 'node:util';
import type { EngineSpec } from '@baton-ecs/runtime-docker';
import type { LeaderElectionOptions } from '../leader/elector.js';
import {
  dockerEnvironmentEngine,
  engineConnection,
  engineConnectionFlags,
  engineConnectionUsage,
  engineEndpointPattern,
} from './agent-engine.js';
import { type AgentEnvironment, agentEnvironment, goDuration } from './agent-env.js';
import { type EtcdConnection, etcdConnection, etcdFlags, etcdUsage } from './agent-etcd.js';
import { persistedInstanceId } from './agent-host.js';
import {
  type AgentSecretsConfig,
  agentSecretsConfig,
  agentSecretsFlags,
  agentSecretsUsage,
} from './agent-secrets.js';
import { UsageError } from './usage-error.js';

/** Everything `baton agent` runs with. */
export interface AgentConfig {
  readonly cluster: string;
  readonly etcd: EtcdConnection;
  /** The local engine, with this host's persisted instance id. */
  readonly engine: EngineSpec;
  readonly stateDir: string;
  readonly election: LeaderElectionOptions;
  readonly logFormat: 'text' | 'json';
  readonly agent: AgentEnvironment;
  /** Where the tasks' secrets come from on this host, and which registries' images are pinned. */
  readonly secrets: AgentSecretsConfig;
  /** AWS_REGION in the containers (AWS_REGION or AWS_DEFAULT_REGION of the agent, as ECS's agent). */
  readonly region?: string;
  /** Where /metrics and /healthz are served: a port on 127.0.0.1 (loopback only; they are not signed). */
  readonly metricsPort?: number;
}

export const agentUsage = `usage: baton agent --etcd <endpoints> [options]

Runs the task agent for this host's Docker engine and joins the cluster through etcd: registers the
engine as a container instance, runs the tasks placed on it, reports their status. Talks to nothing
but etcd and the local engine.

${etcdUsage}
  --cluster <name>       the cluster to join (default ECS_CLUSTER, else "default")
  --engine <endpoint>    the local engine (default: DOCKER_HOST with DOCKER_TLS_VERIFY and
                         DOCKER_CERT_PATH, else unix:///var/run/docker.sock)
${engineConnectionUsage}
  --state-dir <dir>      where this host's identity is kept (default /var/lib/baton-agent)
  --instance-id <id>     this host's instance id (default: made on first start, then kept)
  --attribute <k=v>      a custom attribute (repeatable; also ECS_INSTANCE_ATTRIBUTES)
  --lease <duration>     how long the agent's lock outlives its last renewal, e.g. 15s (default):
                         the longest a dead agent goes unnoticed before the instance is disconnected
  --log-format <fmt>     text (default) or json
  --metrics-port <n>     serve /metrics (the agent's pass counters, Prometheus text) and /healthz
                         on 127.0.0.1:<n>; loopback only (default: not served)
${agentSecretsUsage}

etcd password: BATON_ETCD_PASSWORD. Region: AWS_REGION or AWS_DEFAULT_REGION. ECS agent variables read: ECS_CLUSTER, ECS_INSTANCE_ATTRIBUTES,
ECS_RESERVED_PORTS, ECS_RESERVED_MEMORY, ECS_IMAGE_PULL_BEHAVIOR, ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION,
ECS_CONTAINER_START_TIMEOUT.`;

const flags = {
  ...etcdFlags,
  ...engineConnectionFlags,
  ...agentSecretsFlags,
  cluster: { type: 'string' },
  engine: { type: 'string' },
  'state-dir': { type: 'string' },
  'instance-id': { type: 'string' },
  attribute: { type: 'string', multiple: true },
  lease: { type: 'string' },
  'log-format': { type: 'string' },
  'metrics-port': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `baton agent`'s arguments → its configuration; a UsageError names the flag or variable at fault. */
export function agentConfig(argv: readonly string[], env: NodeJS.ProcessEnv): AgentConfig | 'help' {
  let values: ReturnType<typeof parseArgs<{ options: typeof flags; strict: true }>>['values'];
  try {
    ({ values } = parseArgs({ args: [...argv], options: flags, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const etcd = etcdConnection(values, env);
  if (!etcd) throw new UsageError('--etcd: needed (the agent joins its cluster through etcd)');
  const agent = agentEnvironment(env);
  const cluster = values.cluster ?? agent.cluster ?? 'default';
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(cluster))
    throw new UsageError(
      `--cluster: "${cluster}" may contain only letters, numbers, hyphens and underscores`,
    );

  const fromEnv = values.engine ? undefined : dockerEnvironmentEngine(env);
  const endpoint = values.engine ?? fromEnv?.endpoint ?? 'unix:///var/run/docker.sock';
  if (!engineEndpointPattern.test(endpoint))
    throw new UsageError(`--engine: "${endpoint}" must be unix:///path, tcp://host:port or ssh://user@host`);

  const attributes: Record<string, string> = { ...agent.attributes };
  for (const a of values.attribute ?? []) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`--attribute: "${a}" must be name=value`);
    attributes[a.slice(0, eq)] = a.slice(eq + 1);
  }

  const stateDir = values['state-dir'] ?? '/var/lib/baton-agent';
  let instanceId: string;
  try {
    instanceId = persistedInstanceId(stateDir, cluster, values['instance-id']);
  } catch (error) {
    throw new UsageError(`--state-dir: ${(error as Error).message}`);
  }

  const leaseMs = values.lease === undefined ? 15_000 : goDuration('--lease', values.lease);
  if (leaseMs < 2_000) throw new UsageError(`--lease: at least 2s (got "${values.lease}")`);
  const logFormat = values['log-format'] ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json')
    throw new UsageError(`--log-format: must be text or json (got "${logFormat}")`);

  const metricsPort = values['metrics-port'] === undefined ? undefined : portOf(values['metrics-port']);
  const secrets = agentSecretsConfig(values, env);
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;

  return {
    cluster,
    etcd,
    engine: {
      ...(fromEnv ?? {}),
      ...engineConnection(endpoint, values),
      endpoint,
      instanceId,
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      ...(agent.reservedPorts ? { reservedPorts: agent.reservedPorts } : {}),
      ...(agent.reservedMemoryMiB !== undefined ? { reservedMemoryMiB: agent.reservedMemoryMiB } : {}),
    },
    stateDir,
    // As controller-runtime's 15 s / 10 s / 2 s, scaled to the lease.
    election: {
      leaseDurationMs: leaseMs,
      renewDeadlineMs: Math.round((leaseMs * 2) / 3),
      retryPeriodMs: Math.max(250, Math.round(leaseMs / 7.5)),
    },
    logFormat,
    agent,
    secrets,
    ...(region ? { region } : {}),
    ...(metricsPort !== undefined ? { metricsPort } : {}),
  };
}

function portOf(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--metrics-port: must be a port number from 1 to 65535 (got "${value}")`);
  return port;
}
