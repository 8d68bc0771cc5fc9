import type { DockerOptions } from 'dockerode';

/**
 * docker-modem fills every option it is not given from DOCKER_HOST, DOCKER_TLS_VERIFY,
 * DOCKER_CERT_PATH and DOCKER_PATH_PREFIX, and a host from DOCKER_HOST wins over a socketPath:
 * an endpoint configured explicitly would be silently redirected to another daemon. Every option
 * the environment could supply is therefore given, as undefined when the endpoint does not set it.
 */
const notFromEnvironment = {
  host: undefined,
  port: undefined,
  protocol: undefined,
  socketPath: undefined,
  ca: undefined,
  cert: undefined,
  key: undefined,
  pathPrefix: undefined,
  username: undefined,
} as unknown as DockerOptions;

/**
 * Turns an engine endpoint into dockerode options: `unix:///var/run/docker.sock` (or a bare socket
 * path), `tcp://127.0.0.1:2375`, `http://…` or `https://…`.
 */
export function dockerOptions(endpoint: string): DockerOptions {
  if (endpoint.startsWith('/')) return { ...notFromEnvironment, socketPath: endpoint };
  const url = new URL(endpoint);
  switch (url.protocol) {
    case 'unix:':
      return { ...notFromEnvironment, socketPath: url.pathname };
    case 'tcp:':
    case 'http:':
      return { ...notFromEnvironment, protocol: 'http', host: url.hostname, port: Number(url.port || 2375) };
    case 'https:':
      return { ...notFromEnvironment, protocol: 'https', host: url.hostname, port: Number(url.port || 2376) };
    default:
      throw new Error(
        `unsupported Docker endpoint "${endpoint}" (use unix:///path, tcp://host:port or https://host:port)`,
      );
  }
}

/** The endpoint in its canonical form (`unix:///path` for a bare socket path). */
export function canonicalEndpoint(endpoint: string): string {
  return endpoint.startsWith('/') ? `unix://${endpoint}` : endpoint;
}
