import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { parseEncryptionKey } from '../secrets/cipher.js';
import { UsageError } from './usage-error.js';

/**
 * Where `baton agent` finds the secrets of the tasks it runs and how it pins their images — on its
 * own host, as ECS's agent resolves them itself: `file://` references under the allowed roots, and
 * Baton's local parameter and secrets stores (kept encrypted in etcd) with the key from
 * BATON_SECRETS_KEY or a file. Images from the listed registries are pinned to digests once per
 * deployment, with the credentials of Docker's config.json.
 */
export interface AgentSecretsConfig {
  /** The local stores' key, parsed; undefined: those references fail with a reason naming the key. */
  readonly encryptionKey?: Buffer;
  readonly fileRoots: readonly string[];
  /** Registries whose images are pinned by digest (none: references are used as they are). */
  readonly registries: readonly string[];
  /** Registries spoken to over plain HTTP. */
  readonly insecureRegistries: readonly string[];
  /** Docker's config.json with the registries' logins (default: DOCKER_CONFIG's, else ~/.docker's). */
  readonly registryConfig?: string;
}

export const agentSecretsFlags = {
  'secrets-file-root': { type: 'string', multiple: true },
  'secrets-key-file': { type: 'string' },
  registry: { type: 'string', multiple: true },
  'insecure-registry': { type: 'string', multiple: true },
  'registry-config': { type: 'string' },
} as const;

export const agentSecretsUsage = `  --secrets-file-root <dir>    file:// secrets and environment files may be read under <dir>
                               (repeatable; default: none, file:// references are refused)
  --secrets-key-file <file>    the key of Baton's local parameter and secrets stores (64 hex digits
                               or base64 of 32 bytes; or BATON_SECRETS_KEY): the control plane's
                               secrets.encryptionKey
  --registry <host[:port]>     pin images from this registry to digests, once per deployment
                               (repeatable; default: none)
  --insecure-registry <host>   speak plain HTTP to this registry (repeatable)
  --registry-config <file>     Docker's config.json with the registries' logins (default
                               $DOCKER_CONFIG/config.json, else ~/.docker/config.json)`;

type Values = {
  readonly 'secrets-file-root'?: string[] | undefined;
  readonly 'secrets-key-file'?: string | undefined;
  readonly registry?: string[] | undefined;
  readonly 'insecure-registry'?: string[] | undefined;
  readonly 'registry-config'?: string | undefined;
};

/** The flags and BATON_SECRETS_KEY → the agent's secrets and images configuration. Never echoes a key. */
export function agentSecretsConfig(values: Values, env: NodeJS.ProcessEnv): AgentSecretsConfig {
  const fileRoots = values['secrets-file-root'] ?? [];
  for (const root of fileRoots)
    if (!isAbsolute(root)) throw new UsageError(`--secrets-file-root: "${root}" must be an absolute path`);
  const keyFile = values['secrets-key-file'];
  if (keyFile !== undefined && env.BATON_SECRETS_KEY !== undefined)
    throw new UsageError('--secrets-key-file: give the key once (BATON_SECRETS_KEY is set too)');
  let encryptionKey: Buffer | undefined;
  if (keyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(keyFile, 'utf8');
    } catch (error) {
      throw new UsageError(
        `--secrets-key-file ${keyFile}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      );
    }
    encryptionKey = key(`--secrets-key-file ${keyFile}`, text.trim());
  } else if (env.BATON_SECRETS_KEY !== undefined) {
    encryptionKey = key('BATON_SECRETS_KEY', env.BATON_SECRETS_KEY.trim());
  }
  const registries = values.registry ?? [];
  const insecureRegistries = values['insecure-registry'] ?? [];
  for (const [flag, list] of [
    ['--registry', registries],
    ['--insecure-registry', insecureRegistries],
  ] as const)
    for (const r of list)
      if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(r))
        throw new UsageError(`${flag}: "${r}" must be a registry host, e.g. registry.internal:5000`);
  const registryConfig = values['registry-config'];
  return {
    ...(encryptionKey ? { encryptionKey } : {}),
    fileRoots,
    registries,
    insecureRegistries,
    ...(registryConfig !== undefined ? { registryConfig } : {}),
  };
}

function key(name: string, text: string): Buffer {
  try {
    return parseEncryptionKey(text, name);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
