import type { Credentials } from './credentials/types.js';
import { DOCKER_HUB } from './reference.js';

/**
 * dockerode's `authconfig` (the Engine API's X-Registry-Auth): pass it as
 * `docker.pull(image, { authconfig })`.
 */
export interface DockerAuthConfig {
  readonly serveraddress: string;
  readonly username?: string;
  readonly password?: string;
  /** OAuth2 refresh token; the engine exchanges it itself. */
  readonly identitytoken?: string;
  /** A bearer token for the registry, used as is. */
  readonly registrytoken?: string;
}

/** The server address Docker uses for a registry (Docker Hub keeps its historical v1 URL). */
export const dockerServerAddress = (registry: string): string =>
  registry === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry;

/** The engine's auth config for these credentials, or undefined for an anonymous pull. */
export function dockerAuthConfig(
  registry: string,
  creds: Credentials | undefined,
): DockerAuthConfig | undefined {
  if (!creds) return undefined;
  const serveraddress = dockerServerAddress(registry);
  switch (creds.kind) {
    case 'basic':
      return { serveraddress, username: creds.username, password: creds.password };
    case 'identityToken':
      return {
        serveraddress,
        identitytoken: creds.token,
        ...(creds.username ? { username: creds.username } : {}),
      };
    case 'registryToken':
      return { serveraddress, registrytoken: creds.token };
  }
}

/**
 * The X-Registry-Auth header value for Engine API callers that do not use dockerode: URL-safe
 * base64 of the JSON *with* padding (the engine decodes with Go's padded URLEncoding and silently
 * drops an auth it cannot decode).
 */
export const registryAuthHeader = (auth: DockerAuthConfig): string =>
  Buffer.from(JSON.stringify(auth)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
