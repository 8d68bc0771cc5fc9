import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { RegistryError } from '../errors.js';
import {
  basicCredentials,
  type CredentialProvider,
  type Credentials,
  decodeBasicAuth,
  identityTokenCredentials,
  registryKey,
} from './types.js';

/** The parts of Docker's `config.json` that hold credentials. */
interface DockerConfigFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }
  >;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Runs `docker-credential-<helper> get` with the server URL on stdin; returns stdout, or the failure. */
export type HelperRunner = (
  helper: string,
  serverUrl: string,
) => Promise<{ ok: true; stdout: string } | { ok: false; stdout: string; exitCode: number | null }>;

export interface DockerConfigOptions {
  /** The config file; default `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
  readonly path?: string;
  /** Runs a credential helper (default: spawns `docker-credential-<name>` from PATH, 10 s timeout). */
  readonly runHelper?: HelperRunner;
  readonly env?: NodeJS.ProcessEnv;
}

export const defaultDockerConfigPath = (env: NodeJS.ProcessEnv = process.env): string =>
  join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');

/** The spelling a helper stores Docker Hub under; other registries by host. */
const helperServerUrl = (registry: string): string =>
  registry === 'docker.io' ? 'https://index.docker.io/v1/' : registry;

export const spawnHelper: HelperRunner = (helper, serverUrl) =>
  new Promise((resolve, reject) => {
    if (!/^[A-Za-z0-9_.-]+$/.test(helper)) {
      reject(new RegistryError('CREDENTIALS', `invalid credential helper name "${helper}"`));
      return;
    }
    const child = spawn(`docker-credential-${helper}`, ['get'], {
      stdio: ['pipe', 'pipe', 'ignore'],
      timeout: 10_000,
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (stdout.length < 1 << 20) stdout += d;
    });
    child.on('error', (err) =>
      reject(
        new RegistryError('CREDENTIALS', `credential helper docker-credential-${helper} could not run`, {
          cause: err,
        }),
      ),
    );
    child.on('close', (code) =>
      resolve(code === 0 ? { ok: true, stdout } : { ok: false, stdout, exitCode: code }),
    );
    child.stdin.on('error', () => {});
    child.stdin.end(serverUrl);
  });

/**
 * Credentials as the Docker CLI finds them: `credHelpers[registry]`, else `credsStore`, through the
 * helper program (`docker-credential-<name> get`); else `auths[registry]` (`auth` = base64
 * `user:password`, or `identitytoken`). A missing file means anonymous. Errors name the helper
 * and registry, never a secret.
 */
export function dockerConfigCredentials(options: DockerConfigOptions = {}): CredentialProvider {
  const runHelper = options.runHelper ?? spawnHelper;
  return {
    name: 'docker-config',
    credentials: (registry) => async () => {
      const path = options.path ?? defaultDockerConfigPath(options.env);
      let config: DockerConfigFile;
      try {
        config = JSON.parse(await readFile(path, 'utf8')) as DockerConfigFile;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return E.right(undefined);
        return E.left(
          new RegistryError('CREDENTIALS', `cannot read Docker config ${path}: not valid JSON or unreadable`),
        );
      }
      const key = registryKey(registry);
      const helper =
        Object.entries(config.credHelpers ?? {}).find(([k]) => registryKey(k) === key)?.[1] ??
        config.credsStore;
      if (helper) {
        const r = await fromHelper(runHelper, helper, key);
        if (E.isLeft(r) || r.right !== undefined) return r;
      }
      return fromAuths(config, key, path);
    },
  };
}

async function fromHelper(
  runHelper: HelperRunner,
  helper: string,
  registry: string,
): Promise<E.Either<RegistryError, Credentials | undefined>> {
  const what = `credential helper docker-credential-${helper} for ${registry}`;
  let out: Awaited<ReturnType<HelperRunner>>;
  try {
    out = await runHelper(helper, helperServerUrl(registry));
  } catch (err) {
    return E.left(err instanceof RegistryError ? err : new RegistryError('CREDENTIALS', `${what} failed`));
  }
  if (!out.ok) {
    // The helpers' agreed "nothing stored" answer: anonymous, not an error.
    if (/credentials not found/i.test(out.stdout)) return E.right(undefined);
    return E.left(new RegistryError('CREDENTIALS', `${what} exited with code ${out.exitCode ?? 'signal'}`));
  }
  try {
    const json = JSON.parse(out.stdout) as { Username?: unknown; Secret?: unknown };
    if (typeof json.Secret !== 'string' || json.Secret === '') return E.right(undefined);
    const username = typeof json.Username === 'string' ? json.Username : '';
    // Docker's convention: Username "<token>" means Secret is an identity (refresh) token.
    if (username === '<token>') return E.right(identityTokenCredentials(json.Secret));
    return E.right(basicCredentials(username, json.Secret));
  } catch {
    return E.left(new RegistryError('CREDENTIALS', `${what} printed something that is not JSON`));
  }
}

function fromAuths(
  config: DockerConfigFile,
  registry: string,
  path: string,
): E.Either<RegistryError, Credentials | undefined> {
  const entry = Object.entries(config.auths ?? {}).find(([k]) => registryKey(k) === registry)?.[1];
  if (!entry) return E.right(undefined);
  if (entry.identitytoken) return E.right(identityTokenCredentials(entry.identitytoken));
  if (entry.auth) {
    const d = decodeBasicAuth(entry.auth);
    if (!d)
      return E.left(
        new RegistryError('CREDENTIALS', `${path}: auths entry for ${registry} is not base64 user:password`),
      );
    return E.right(basicCredentials(d.username, d.password));
  }
  if (entry.username && entry.password) return E.right(basicCredentials(entry.username, entry.password));
  return E.right(undefined);
}
