import { type EngineConnection, engineFromDockerEnvironment } from '@baton-ecs/runtime-docker';
import type { z } from 'zod';
import type { EngineConnectionFields } from '../baton-options-schema.js';
import { UsageError } from './usage-error.js';

/**
 * How `baton serve` and `baton agent` reach a Docker engine securely: the flags, the config-file
 * fields and the Docker CLI's environment (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH).
 */
export const engineConnectionFlags = {
  'engine-ca': { type: 'string' },
  'engine-cert': { type: 'string' },
  'engine-key': { type: 'string' },
  'engine-ssh-key': { type: 'string' },
  'engine-known-hosts': { type: 'string' },
  'allow-insecure-engine': { type: 'boolean' },
} as const;

export const engineConnectionUsage = `  --engine-ca <file>     CA of tcp:// engines started with --tlsverify (Docker's --tlscacert) …
  --engine-cert <file>   … Baton's client certificate (--tlscert) …
  --engine-key <file>    … and its key (--tlskey)
  --engine-ssh-key <file>      private key for ssh://user@host engines (default: SSH_AUTH_SOCK's agent)
  --engine-known-hosts <file>  known_hosts for ssh:// engines (default ~/.ssh/known_hosts)
  --allow-insecure-engine      allow plain tcp:// beyond loopback (unencrypted, unauthenticated: root
                               for anyone who can reach the port)`;

/** A config file entry's connection fields, without the keys it left out. */
export function entryConnection(entry: {
  readonly tls?: z.infer<typeof EngineConnectionFields.tls>;
  readonly ssh?: z.infer<typeof EngineConnectionFields.ssh>;
  readonly allowInsecure?: boolean | undefined;
}): EngineConnection {
  const defined = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
      [K in keyof T]: Exclude<T[K], undefined>;
    };
  return {
    ...(entry.tls ? { tls: defined(entry.tls) } : {}),
    ...(entry.ssh ? { ssh: defined(entry.ssh) } : {}),
    ...(entry.allowInsecure ? { allowInsecure: true } : {}),
  };
}

type FlagValues = {
  readonly 'engine-ca'?: string | undefined;
  readonly 'engine-cert'?: string | undefined;
  readonly 'engine-key'?: string | undefined;
  readonly 'engine-ssh-key'?: string | undefined;
  readonly 'engine-known-hosts'?: string | undefined;
  readonly 'allow-insecure-engine'?: boolean | undefined;
};

export const engineEndpointPattern = /^(unix|tcp|http|https|ssh):\/\//;

/** The connection the flags ask for an engine at `endpoint` (TLS flags for tcp/https, SSH ones for ssh). */
export function engineConnection(endpoint: string, values: FlagValues): EngineConnection {
  const ca = values['engine-ca'];
  const cert = values['engine-cert'];
  const key = values['engine-key'];
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError(
      cert === undefined ? '--engine-key: needs --engine-cert too' : '--engine-cert: needs --engine-key too',
    );
  const secure = /^(tcp|https):\/\//.test(endpoint);
  const ssh = endpoint.startsWith('ssh://');
  const privateKey = values['engine-ssh-key'];
  const knownHosts = values['engine-known-hosts'];
  return {
    ...(secure && (ca || cert)
      ? { tls: { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) } }
      : {}),
    ...(ssh && (privateKey || knownHosts)
      ? { ssh: { ...(privateKey ? { privateKey } : {}), ...(knownHosts ? { knownHosts } : {}) } }
      : {}),
    ...(values['allow-insecure-engine'] ? { allowInsecure: true } : {}),
  };
}

/** The engine of the Docker CLI's environment (DOCKER_HOST …), when DOCKER_HOST is set. */
export function dockerEnvironmentEngine(
  env: NodeJS.ProcessEnv,
): ({ readonly endpoint: string } & EngineConnection) | undefined {
  const engine = engineFromDockerEnvironment(env);
  if (engine && !engineEndpointPattern.test(engine.endpoint))
    throw new UsageError(`DOCKER_HOST: "${env.DOCKER_HOST}" must be unix://, tcp://, https:// or ssh://`);
  return engine;
}
