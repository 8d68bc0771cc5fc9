import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import type { EngineSpec } from '@baton-ecs/runtime-docker';
import { z } from 'zod';
import { EngineConnectionFields } from '../baton-options-schema.js';
import type { AccessKey } from '../endpoint/index.js';
import {
  dockerEnvironmentEngine,
  engineConnection,
  engineConnectionFlags,
  engineConnectionUsage,
  engineEndpointPattern,
  entryConnection,
} from './agent-engine.js';
import { type AgentEnvironment, agentEnvironment, goDuration } from './agent-env.js';
import { type EtcdConnection, etcdConnection, etcdFlags, etcdUsage } from './agent-etcd.js';
import { agentSecretsConfig } from './agent-secrets.js';
import { UsageError } from './usage-error.js';

/** Everything `baton serve` runs with, after flags, environment and config file are merged. */
export interface ServeConfig {
  readonly host: string;
  readonly port: number;
  readonly cluster: string;
  readonly engines: readonly EngineSpec[];
  readonly dataDir?: string;
  readonly etcd?: readonly string[];
  /** TLS and auth for etcd (--etcd-ca/--etcd-cert/--etcd-key, --etcd-user with BATON_ETCD_PASSWORD). */
  readonly etcdAccess?: Pick<EtcdConnection, 'tls' | 'auth'>;
  readonly region: string;
  readonly accountId: string;
  readonly credentials: readonly AccessKey[];
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly logFormat: 'text' | 'json';
  readonly maxBodyBytes: number;
  readonly agent: AgentEnvironment;
  /** The local parameter and secrets stores' key, and the roots `file://` secrets may be read from. */
  readonly secrets?: { readonly encryptionKey?: Buffer; readonly fileRoots?: readonly string[] };
  /**
   * Registries whose images each new deployment resolves to digests (the control plane's half of
   * ECS's software version consistency; `baton agent --registry` reads the same flags).
   */
  readonly registry?: {
    readonly registries: readonly string[];
    readonly insecure: readonly string[];
    readonly config?: string;
  };
  /** How long an instance's agent may be disconnected before its service tasks are replaced. */
  readonly instanceLostAfterMs?: number;
}

export const serveUsage = `usage: baton serve [options]

  --host <addr>          listen address (default 127.0.0.1; others need credentials)
  --port <n>             listen port (default 4566; 0 picks a free one)
  --cluster <name>       the cluster the engines join (default "default", or ECS_CLUSTER)
  --engine <endpoint>    a Docker engine, e.g. unix:///var/run/docker.sock, tcp://host:2376 or
                         ssh://user@host (repeatable; default: DOCKER_HOST with DOCKER_TLS_VERIFY and
                         DOCKER_CERT_PATH as the Docker CLI reads them, else the local Docker socket;
                         none: no engine, when every host runs baton agent)
${engineConnectionUsage}
  --data-dir <dir>       keep state on disk here
  --secrets-key-file <file>   the key of the local parameter and secrets stores (64 hex digits or
                         base64 of 32 bytes; or BATON_SECRETS_KEY); without it they are off
  --secrets-file-root <dir>   file:// secrets may be read under <dir> (repeatable)
  --registry <host[:port]>    resolve images from this registry to digests once per deployment:
                         every task of the deployment runs that digest (repeatable; default none)
  --insecure-registry <host>  speak plain HTTP to this registry (repeatable)
  --registry-config <file>    Docker's config.json with the registries' logins (default
                         $DOCKER_CONFIG/config.json, else ~/.docker/config.json)
  --instance-lost-after <duration>
                         how long a host's agent may be disconnected before its service tasks are
                         replaced elsewhere, e.g. 90s or 5m (default 5m, as ECS; 5s to 24h)
${etcdUsage.replace('comma-separated etcd URLs (https:// with the flags below)', 'etcd URLs (comma-separated): shared store, leader election')}
  --region <region>      region in ARNs (default us-east-1)
  --account-id <id>      account in ARNs (default 000000000000)
  --tls-cert <file>      serve HTTPS with this certificate (PEM) …
  --tls-key <file>       … and this key
  --max-body-bytes <n>   largest request body (default 1048576)
  --log-format <fmt>     text (default) or json
  --config <file>        a JSON file with any of the above (camelCase) and "credentials"

Credentials: BATON_ACCESS_KEY_ID / BATON_SECRET_ACCESS_KEY, or "credentials": [{ "accessKeyId",
"secretAccessKey" }] in the config file. ECS agent variables read: ECS_IMAGE_PULL_BEHAVIOR,
ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION, ECS_CONTAINER_START_TIMEOUT, ECS_RESERVED_PORTS,
ECS_RESERVED_MEMORY, ECS_INSTANCE_ATTRIBUTES, ECS_CLUSTER.`;

const EngineEntry = z.union([
  z.string().min(1),
  z.object({
    endpoint: z.string().min(1),
    instanceId: z.string().min(1).optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    ...EngineConnectionFields,
  }),
]);

/** The config file: the flags' names in camelCase, plus credentials. */
const ConfigFile = z.strictObject({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  cluster: z.string().min(1).optional(),
  engines: z.array(EngineEntry).optional(),
  dataDir: z.string().min(1).optional(),
  etcd: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  region: z.string().min(1).optional(),
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'must be 12 digits')
    .optional(),
  credentials: z
    .array(z.strictObject({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) }))
    .optional(),
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  logFormat: z.enum(['text', 'json']).optional(),
  maxBodyBytes: z.number().int().positive().optional(),
  instanceLostAfter: z.string().min(1).optional(),
});

const flags = {
  host: { type: 'string' },
  port: { type: 'string' },
  cluster: { type: 'string' },
  engine: { type: 'string', multiple: true },
  'data-dir': { type: 'string' },
  region: { type: 'string' },
  'account-id': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'instance-lost-after': { type: 'string' },
  'secrets-key-file': { type: 'string' },
  'secrets-file-root': { type: 'string', multiple: true },
  registry: { type: 'string', multiple: true },
  'insecure-registry': { type: 'string', multiple: true },
  'registry-config': { type: 'string' },
  'log-format': { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...engineConnectionFlags,
  ...etcdFlags,
} as const;

const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** `baton serve`'s arguments → its configuration; a UsageError names the flag, variable or entry at fault. */
export function serveConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServeConfig | 'help' {
  let values: ReturnType<typeof parseArgs<{ options: typeof flags; strict: true }>>['values'];
  try {
    ({ values } = parseArgs({ args: [...argv], options: flags, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const file = values.config === undefined ? {} : readConfig(values.config);
  const agent = agentEnvironment(env);

  const host = values.host ?? file.host ?? '127.0.0.1';
  const port = values.port === undefined ? (file.port ?? 4566) : integer('--port', values.port, 0, 65535);
  const cluster = values.cluster ?? file.cluster ?? agent.cluster ?? 'default';
  const region = values.region ?? file.region ?? 'us-east-1';
  const accountId = values['account-id'] ?? file.accountId ?? '000000000000';
  if (!/^\d{12}$/.test(accountId))
    throw new UsageError(`--account-id: must be 12 digits (got "${accountId}")`);
  const logFormat = values['log-format'] ?? file.logFormat ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json')
    throw new UsageError(`--log-format: must be text or json (got "${logFormat}")`);
  const maxBodyBytes =
    values['max-body-bytes'] === undefined
      ? (file.maxBodyBytes ?? 1024 * 1024)
      : integer('--max-body-bytes', values['max-body-bytes'], 1, 64 * 1024 * 1024);

  const credentials: AccessKey[] = [...(file.credentials ?? [])];
  const id = env.BATON_ACCESS_KEY_ID;
  const secret = env.BATON_SECRET_ACCESS_KEY;
  if ((id === undefined) !== (secret === undefined))
    throw new UsageError('BATON_ACCESS_KEY_ID and BATON_SECRET_ACCESS_KEY: set both or neither');
  if (id && secret) credentials.push({ accessKeyId: id, secretAccessKey: secret });
  if (credentials.length === 0 && !isLoopback(host))
    throw new UsageError(
      `--host ${host}: refusing to listen beyond the loopback interface without credentials (set BATON_ACCESS_KEY_ID and BATON_SECRET_ACCESS_KEY, or "credentials" in --config)`,
    );

  const certFile = values['tls-cert'] ?? file.tls?.cert;
  const keyFile = values['tls-key'] ?? file.tls?.key;
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new UsageError(
      certFile === undefined ? '--tls-key: needs --tls-cert too' : '--tls-cert: needs --tls-key too',
    );
  const tls =
    certFile && keyFile
      ? { cert: readText('--tls-cert', certFile), key: readText('--tls-key', keyFile) }
      : undefined;

  const fromDockerEnv = values.engine || file.engines ? undefined : dockerEnvironmentEngine(env);
  const engineEntries: z.infer<typeof EngineEntry>[] =
    values.engine ??
    file.engines ??
    (fromDockerEnv
      ? [fromDockerEnv]
      : existsSync(DEFAULT_DOCKER_SOCKET)
        ? [`unix://${DEFAULT_DOCKER_SOCKET}`]
        : []);
  // `--engine none`: a control plane whose hosts run their own agents (baton agent).
  const engines = (values.engine?.length === 1 && values.engine[0] === 'none' ? [] : engineEntries).map(
    (e) => {
      const spec = engineSpec(e, agent);
      return { ...engineConnection(spec.endpoint, values), ...spec };
    },
  );

  const etcdText = values.etcd ?? file.etcd;
  const etcd =
    etcdText === undefined
      ? undefined
      : (Array.isArray(etcdText) ? etcdText : String(etcdText).split(',')).map((s) => s.trim());
  if (etcd)
    for (const u of etcd)
      if (!/^https?:\/\/[^/]+$/.test(u))
        throw new UsageError(`--etcd: "${u}" is not an http(s)://host:port URL`);
  const access = etcd
    ? etcdConnection({ ...values, etcd: etcd.join(',') }, env)
    : etcdConnection(values, env);
  const etcdAccess =
    access && (access.tls || access.auth)
      ? { ...(access.tls ? { tls: access.tls } : {}), ...(access.auth ? { auth: access.auth } : {}) }
      : undefined;
  const instanceLostAfterMs = lostAfter(values['instance-lost-after'], file.instanceLostAfter, values.config);
  // One reading of the key and roots for serve and agent (agent-secrets.ts).
  const { encryptionKey, fileRoots, registries, insecureRegistries, registryConfig } = agentSecretsConfig(
    values,
    env,
  );
  const dataDir = values['data-dir'] ?? file.dataDir;
  if (etcd && dataDir) throw new UsageError('--data-dir: not with --etcd (etcd keeps the state)');

  return {
    host,
    port,
    cluster,
    engines,
    ...(dataDir ? { dataDir } : {}),
    ...(etcd ? { etcd } : {}),
    ...(etcdAccess ? { etcdAccess } : {}),
    region,
    accountId,
    credentials,
    ...(tls ? { tls } : {}),
    logFormat,
    maxBodyBytes,
    agent,
    ...(instanceLostAfterMs !== undefined ? { instanceLostAfterMs } : {}),
    ...(registries.length > 0
      ? {
          registry: {
            registries,
            insecure: insecureRegistries,
            ...(registryConfig !== undefined ? { config: registryConfig } : {}),
          },
        }
      : {}),
    ...(encryptionKey || fileRoots.length > 0
      ? {
          secrets: {
            ...(encryptionKey ? { encryptionKey } : {}),
            ...(fileRoots.length > 0 ? { fileRoots } : {}),
          },
        }
      : {}),
  };
}

/**
 * `--instance-lost-after` (or the config file's `instanceLostAfter`) in milliseconds. Below 5 s a
 * host's ordinary hiccup (a lease renewal missed under load) would replace its tasks; above a day
 * a lost host's tasks would in effect never be replaced.
 */
function lostAfter(flag: string | undefined, fromFile: string | undefined, configPath: string | undefined) {
  const text = flag ?? fromFile;
  if (text === undefined) return undefined;
  const name = flag !== undefined ? '--instance-lost-after' : `--config ${configPath}: instanceLostAfter`;
  const ms = goDuration(name, text);
  if (ms < 5_000 || ms > 86_400_000) throw new UsageError(`${name}: must be from 5s to 24h (got "${text}")`);
  return ms;
}

function engineSpec(entry: z.infer<typeof EngineEntry>, agent: AgentEnvironment): EngineSpec {
  const e = typeof entry === 'string' ? { endpoint: entry } : entry;
  if (!engineEndpointPattern.test(e.endpoint))
    throw new UsageError(
      `--engine: "${e.endpoint}" must be unix:///path, tcp://host:port, http(s)://host:port or ssh://user@host`,
    );
  const connection = typeof entry === 'string' ? {} : entryConnection(entry);
  return {
    endpoint: e.endpoint,
    ...connection,
    // Stable across restarts, so the next start adopts the same instance and its containers.
    instanceId:
      'instanceId' in e && e.instanceId
        ? e.instanceId
        : `i-${createHash('sha256').update(e.endpoint).digest('hex').slice(0, 17)}`,
    ...(agent.attributes || ('attributes' in e && e.attributes)
      ? { attributes: { ...agent.attributes, ...('attributes' in e ? e.attributes : {}) } }
      : {}),
    ...(agent.reservedPorts ? { reservedPorts: agent.reservedPorts } : {}),
    ...(agent.reservedMemoryMiB !== undefined ? { reservedMemoryMiB: agent.reservedMemoryMiB } : {}),
  };
}

function readConfig(path: string): z.infer<typeof ConfigFile> {
  const text = readText('--config', path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = ConfigFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where =
      issue.path.length > 0 ? issue.path.join('.') : (issue as { keys?: string[] }).keys?.join(', ');
    throw new UsageError(`--config ${path}: ${where ? `${where}: ` : ''}${issue.message}`);
  }
  return parsed.data;
}

function readText(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new UsageError(`${flag}: must be a whole number from ${min} to ${max} (got "${text}")`);
  return n;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
