import type { DockerOptions } from 'dockerode';

/**
 * Turns an engine endpoint into dockerode options: `unix:///var/run/docker.sock` (or a bare socket
 * path), `tcp://127.0.0.1:2375`, `http://…` or `https://…`.
 */
export function dockerOptions(endpoint: string): DockerOptions {
  if (endpoint.startsWith('/')) return { socketPath: endpoint };
  const url = new URL(endpoint);
  switch (url.protocol) {
    case 'unix:':
      return { socketPath: url.pathname };
    case 'tcp:':
    case 'http:':
      return { protocol: 'http', host: url.hostname, port: Number(url.port || 2375) };
    case 'https:':
      return { protocol: 'https', host: url.hostname, port: Number(url.port || 2376) };
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
