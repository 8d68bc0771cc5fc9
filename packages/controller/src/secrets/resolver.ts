import { open, realpath } from 'node:fs/promises';
import { resolve as resolvePath, sep } from 'node:path';
import {
  type ContainerDefinition,
  type KeyValuePair,
  parseSecretReference,
  type SecretReference,
} from '@baton-ecs/model';
import { BatonApiError } from '../errors.js';
import type { SecretsApi } from './secrets-api.js';

/** What the embedding service's provider is asked for. */
export interface SecretRequest {
  /** `secret`: a `secrets[].valueFrom`; `environmentFile`: an `environmentFiles[].value` (answer with the file's text); `registryCredentials`: a `credentialsParameter` (answer with JSON `{"username","password"}`). */
  readonly kind: 'secret' | 'environmentFile' | 'registryCredentials';
  /** The reference as the task definition spells it. */
  readonly valueFrom: string;
  /** Parsed, when it is an SSM, Secrets Manager or file reference. For Secrets Manager, answer with the version asked for; Baton applies `jsonKey` itself. */
  readonly reference?: SecretReference;
  readonly taskArn: string;
  readonly containerName: string;
}

/**
 * The embedding service's own provider (a vault, a cloud secrets API…), asked
 * before Baton's: return the value, or `undefined` to let Baton's providers
 * (files, then the local stores) answer. Throwing fails the task with the
 * error's message in its stopped reason, so never put a secret in it.
 */
export type SecretProviderFunction = (
  request: SecretRequest,
) => Promise<string | undefined> | string | undefined;

export interface SecretResolverOptions {
  readonly local: SecretsApi;
  readonly provider?: SecretProviderFunction;
  /** Directories `file://` references may read from (symlinks resolved). None: files are refused. */
  readonly fileRoots?: readonly string[];
}

/** Registry credentials for one image pull (Docker's authconfig). */
export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
  readonly serveraddress?: string;
}

/**
 * A reference could not be resolved; `message` is the task's stopped reason in
 * ECS's wording. It names references, never values.
 */
export class SecretResolutionError extends Error {
  override readonly name = 'SecretResolutionError';
}

const ecsPrefix =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed';
const reasons = {
  ssm: (why: string) => `${ecsPrefix}: unable to retrieve secrets from ssm: ${why}`,
  asm: (valueFrom: string, why: string) =>
    `${ecsPrefix}: unable to retrieve secret from asm: failed to fetch secret ${valueFrom} from secrets manager: ${why}`,
  file: (valueFrom: string, why: string) => `${ecsPrefix}: unable to read secret ${valueFrom}: ${why}`,
  invalid: (valueFrom: string, why: string) => `${ecsPrefix}: invalid secret reference ${valueFrom}: ${why}`,
  envFile: (value: string, why: string) =>
    `ResourceInitializationError: failed to download env files: ${value}: ${why}`,
  provider: (valueFrom: string, why: string) => `${ecsPrefix}: provider failed for ${valueFrom}: ${why}`,
};

/** Secrets and env files are small; a bigger file is a mistake, not a value. */
const maxFileBytes = 1024 * 1024;

/**
 * Resolves a container's `secrets`, `environmentFiles` and
 * `repositoryCredentials` through the providers, in order: the embedding
 * service's function, then `file://` under the allowed roots, then Baton's
 * local parameter and secrets stores.
 */
export class SecretResolver {
  constructor(private readonly options: SecretResolverOptions) {}

  /**
   * The variables a container gets from its environment files (which yield to
   * the definition's own `environment`, earlier files winning) and from its
   * secrets (which win over both), as ECS's agent merges them.
   */
  async environment(
    def: Pick<ContainerDefinition, 'name' | 'secrets' | 'environmentFiles'>,
    taskArn: string,
  ): Promise<{ readonly defaults: KeyValuePair[]; readonly overrides: KeyValuePair[] }> {
    const defaults: KeyValuePair[] = [];
    const seen = new Set<string>();
    for (const file of def.environmentFiles ?? []) {
      const text = await this.environmentFile(file.value, taskArn, def.name);
      for (const v of parseEnvironmentFile(text)) {
        if (seen.has(v.name)) continue;
        seen.add(v.name);
        defaults.push(v);
      }
    }
    const overrides: KeyValuePair[] = [];
    for (const s of def.secrets ?? []) {
      overrides.push({ name: s.name, value: await this.secret(s.valueFrom, 'secret', taskArn, def.name) });
    }
    return { defaults, overrides };
  }

  /** The registry login a container's `repositoryCredentials` names, or undefined when it names none. */
  async registryAuth(
    def: Pick<ContainerDefinition, 'name' | 'repositoryCredentials'>,
    taskArn: string,
  ): Promise<RegistryAuth | undefined> {
    const parameter = def.repositoryCredentials?.credentialsParameter;
    if (!parameter) return undefined;
    const text = await this.secret(parameter, 'registryCredentials', taskArn, def.name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const o = parsed as { username?: unknown; password?: unknown } | undefined;
    if (typeof o?.username !== 'string' || typeof o.password !== 'string')
      throw new SecretResolutionError(
        reasons.asm(
          parameter,
          'the secret must be JSON with "username" and "password" (ECS private registry authentication)',
        ),
      );
    return { username: o.username, password: o.password };
  }

  /** One `valueFrom`: asks the providers in turn; applies a Secrets Manager `jsonKey`. */
  async secret(
    valueFrom: string,
    kind: 'secret' | 'registryCredentials',
    taskArn: string,
    containerName: string,
  ): Promise<string> {
    const parsed = parseSecretReference(valueFrom);
    const reference = parsed.ok ? parsed.reference : undefined;
    const fromProvider = await this.askProvider({
      kind,
      valueFrom,
      ...(reference ? { reference } : {}),
      taskArn,
      containerName,
    });
    if (fromProvider !== undefined)
      return reference?.source === 'secretsmanager'
        ? jsonField(fromProvider, reference, valueFrom)
        : fromProvider;
    if (!parsed.ok) throw new SecretResolutionError(reasons.invalid(valueFrom, parsed.message));
    const ref = parsed.reference;
    switch (ref.source) {
      case 'file':
        return this.readFile(ref.path, (why) => reasons.file(valueFrom, why));
      case 'ssm': {
        const value = await localStore(() => this.options.local.parameterValueOf(ref.name), reasons.ssm);
        if (value === undefined)
          throw new SecretResolutionError(reasons.ssm(`invalid parameters: ${ref.name}`));
        return value;
      }
      case 'secretsmanager': {
        const found = await localStore(
          () =>
            this.options.local.secretValueOf(
              valueFrom.split(':').slice(0, 7).join(':'),
              ref.versionId,
              ref.versionStage,
            ),
          (why) => reasons.asm(valueFrom, why),
        );
        if (!found)
          throw new SecretResolutionError(
            reasons.asm(
              valueFrom,
              "ResourceNotFoundException: Secrets Manager can't find the specified secret.",
            ),
          );
        if ('missing' in found)
          throw new SecretResolutionError(
            reasons.asm(
              valueFrom,
              `ResourceNotFoundException: Secrets Manager can't find the specified secret value for ${found.missing}`,
            ),
          );
        return jsonField(found.value, ref, valueFrom);
      }
    }
  }

  private async environmentFile(value: string, taskArn: string, containerName: string): Promise<string> {
    const parsed = parseSecretReference(value);
    const fromProvider = await this.askProvider({
      kind: 'environmentFile',
      valueFrom: value,
      ...(parsed.ok ? { reference: parsed.reference } : {}),
      taskArn,
      containerName,
    });
    if (fromProvider !== undefined) return fromProvider;
    if (parsed.ok && parsed.reference.source === 'file')
      return this.readFile(parsed.reference.path, (why) => reasons.envFile(value, why));
    throw new SecretResolutionError(
      reasons.envFile(
        value,
        value.startsWith('arn:aws:s3:') || value.startsWith('s3://')
          ? 'S3 is AWS-only: give Baton a file:// path, or resolve S3 objects in secrets.provider'
          : 'Baton reads file:// paths (under secrets.fileRoots) or what secrets.provider returns',
      ),
    );
  }

  private async askProvider(request: SecretRequest): Promise<string | undefined> {
    if (!this.options.provider) return undefined;
    try {
      const value = await this.options.provider(request);
      if (value !== undefined && typeof value !== 'string')
        throw new Error(`the provider returned ${typeof value}, not a string`);
      return value;
    } catch (err) {
      throw new SecretResolutionError(
        reasons.provider(request.valueFrom, err instanceof Error ? err.message : 'it threw'),
      );
    }
  }

  /** Reads a file only under an allowed root, after resolving symlinks (so a link cannot lead out). */
  private async readFile(path: string, reason: (why: string) => string): Promise<string> {
    const roots = this.options.fileRoots ?? [];
    if (roots.length === 0)
      throw new SecretResolutionError(reason('file:// references are off (set secrets.fileRoots)'));
    let real: string;
    try {
      real = await realpath(resolvePath(path));
    } catch {
      throw new SecretResolutionError(reason('no such file'));
    }
    const allowed = await Promise.all(roots.map((r) => realpath(resolvePath(r)).catch(() => undefined)));
    if (
      !allowed.some((r) => r !== undefined && (real === r || real.startsWith(r.endsWith(sep) ? r : r + sep)))
    )
      throw new SecretResolutionError(reason('the file is outside secrets.fileRoots'));
    const handle = await open(real, 'r').catch(() => undefined);
    if (!handle) throw new SecretResolutionError(reason('the file cannot be read'));
    try {
      const { size } = await handle.stat();
      if (size > maxFileBytes)
        throw new SecretResolutionError(reason(`the file is larger than ${maxFileBytes} bytes`));
      return (await handle.readFile('utf8')).replace(/\r?\n$/, '');
    } finally {
      await handle.close();
    }
  }
}

/**
 * A local store's answer; its refusal (no key to decrypt with, a value encrypted under another key)
 * fails the task with that reason rather than being retried: waiting does not bring a key.
 */
async function localStore<T>(read: () => Promise<T>, reason: (why: string) => string): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof BatonApiError) throw new SecretResolutionError(reason(err.message));
    throw err;
  }
}

/** A Secrets Manager reference's `jsonKey`, read from the secret's JSON; the whole value without one. */
function jsonField(value: string, ref: SecretReference, valueFrom: string): string {
  if (ref.source !== 'secretsmanager' || ref.jsonKey === undefined) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new SecretResolutionError(
      reasons.asm(valueFrom, `the secret is not a JSON object, so json key ${ref.jsonKey} cannot be read`),
    );
  }
  const field =
    parsed !== null && typeof parsed === 'object'
      ? (parsed as Record<string, unknown>)[ref.jsonKey]
      : undefined;
  if (field === undefined)
    throw new SecretResolutionError(
      reasons.asm(valueFrom, `retrieved secret from Secrets Manager did not contain json key ${ref.jsonKey}`),
    );
  return typeof field === 'string' ? field : JSON.stringify(field);
}

/**
 * ECS's environment-file format: `VARIABLE=VALUE` per line, `#` starts a
 * comment line, blank lines and lines without `=` are skipped; values are
 * literal (no quotes or interpolation). A name repeated within one file takes
 * its last value; across files the earlier file wins (see `environment`).
 */
export function parseEnvironmentFile(text: string): KeyValuePair[] {
  const vars = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const name = line.slice(0, eq).trim();
    if (!name || /\s/.test(name)) continue;
    vars.set(name, line.slice(eq + 1));
  }
  return [...vars].map(([name, value]) => ({ name, value }));
}
