import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import { EngineError, EngineSecurityError } from './engine-error.js';
import { checkKnownHost } from './known-hosts.js';
import { sshHttpAgent } from './ssh-agent.js';

/** Mutual TLS to an engine started with `--tlsverify`. Each value is a PEM file's path or the PEM text. */
export interface EngineTls {
  /** The CA that signed the engine's certificate (Docker's `--tlscacert`). */
  readonly ca?: string;
  /** Baton's client certificate (`--tlscert`). */
  readonly cert?: string;
  /** Its private key (`--tlskey`). */
  readonly key?: string;
  /** A directory laid out as Docker's `DOCKER_CERT_PATH`: ca.pem, cert.pem, key.pem (the three above win). */
  readonly certPath?: string;
}

/** SSH to the engine's host, which runs `docker system dial-stdio` there (Docker's `ssh://` hosts). */
export interface EngineSsh {
  /** The private key: a file's path or the key text. Default: the SSH agent at SSH_AUTH_SOCK. */
  readonly privateKey?: string;
  readonly passphrase?: string;
  /** OpenSSH known_hosts file the host's key must be listed in. Default ~/.ssh/known_hosts. */
  readonly knownHosts?: string;
}

/** How to reach an engine beyond its endpoint URL. */
export interface EngineConnection {
  /** For `tcp://` or `https://`: mutual TLS. */
  readonly tls?: EngineTls;
  /** For `ssh://user@host[:port]`. */
  readonly ssh?: EngineSsh;
  /**
   * Allow plain `tcp://`/`http://` to a non-loopback address. Such an engine API has no encryption
   * and no authentication: anyone who can reach the port is root on that host. Default false.
   */
  readonly allowInsecure?: boolean;
}

/**
 * docker-modem fills every option it is not given from DOCKER_HOST, DOCKER_TLS_VERIFY,
 * DOCKER_CERT_PATH and DOCKER_PATH_PREFIX, and a host from DOCKER_HOST wins over a socketPath:
 * an endpoint configured explicitly would be silently redirected to another daemon. Every option
 * the environment could supply is therefore given, as undefined when the endpoint does not set it.
 * (Read the environment on purpose with `engineFromDockerEnvironment`.)
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
 * path), `tcp://host:port` and `https://host:port` (TLS with `connection.tls`; plain TCP beyond
 * loopback only with `allowInsecure`), `http://…`, `ssh://user@host[:port]`. Throws an EngineError
 * naming the setting at fault (an EngineSecurityError for a refused insecure endpoint).
 */
export function dockerOptions(endpoint: string, connection: EngineConnection = {}): DockerOptions {
  if (endpoint.startsWith('/')) return { ...notFromEnvironment, socketPath: endpoint };
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw configError(
      endpoint,
      `"${endpoint}" is not a URL (use unix:///path, tcp://host:port, ssh://user@host)`,
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (connection.ssh && url.protocol !== 'ssh:')
    throw configError(endpoint, 'ssh: settings given for an endpoint that is not ssh://');
  if (connection.tls && !['tcp:', 'https:'].includes(url.protocol))
    throw configError(
      endpoint,
      `tls: settings given for a ${url.protocol}// endpoint (use tcp:// or https://)`,
    );
  switch (url.protocol) {
    case 'unix:':
      return { ...notFromEnvironment, socketPath: url.pathname };
    case 'tcp:':
    case 'http:': {
      if (url.protocol === 'tcp:' && connection.tls)
        return {
          ...notFromEnvironment,
          ...tlsOptions(endpoint, connection.tls),
          host,
          port: Number(url.port || 2376),
        };
      if (!isLoopback(host) && !connection.allowInsecure)
        throw new EngineSecurityError(
          `refusing plain ${url.protocol}// to ${host}: the Docker API without TLS has no encryption and no authentication, so anyone who can reach that port is root on its host. Use TLS (tls: { ca, cert, key } with an engine started with --tlsverify) or ssh://, or set allowInsecure: true if the network is trusted`,
          { reason: 'insecure-endpoint', operation: 'connect', endpoint },
        );
      return { ...notFromEnvironment, protocol: 'http', host, port: Number(url.port || 2375) };
    }
    case 'https:':
      return {
        ...notFromEnvironment,
        ...(connection.tls ? tlsOptions(endpoint, connection.tls) : { protocol: 'https' }),
        host,
        port: Number(url.port || 2376),
      };
    case 'ssh:':
      return sshOptions(endpoint, url, host, connection.ssh ?? {});
    default:
      throw configError(
        endpoint,
        `unsupported Docker endpoint "${endpoint}" (use unix:///path, tcp://host:port, https://host:port or ssh://user@host)`,
      );
  }
}

/** Whether plain TCP to `endpoint` would leave the host (and so needs `allowInsecure`). */
export function isInsecureEndpoint(endpoint: string, connection: EngineConnection = {}): boolean {
  if (endpoint.startsWith('/')) return false;
  const url = new URL(endpoint);
  if (url.protocol === 'http:' || (url.protocol === 'tcp:' && !connection.tls))
    return !isLoopback(url.hostname.replace(/^\[(.*)\]$/, '$1'));
  return false;
}

/** The warning an operator who opted into plain TCP beyond loopback is given. */
export function insecureEndpointWarning(endpoint: string): string {
  return `engine ${endpoint}: plain TCP without TLS (allowInsecure): the Docker API is unencrypted and unauthenticated, so anyone who can reach this port is root on its host`;
}

/**
 * The engine the Docker CLI would use from its environment: DOCKER_HOST, with TLS when
 * DOCKER_TLS_VERIFY is set (to anything but empty), certificates from DOCKER_CERT_PATH (default
 * ~/.docker) as ca.pem, cert.pem, key.pem. Undefined without DOCKER_HOST.
 */
export function engineFromDockerEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): ({ readonly endpoint: string } & EngineConnection) | undefined {
  const endpoint = env.DOCKER_HOST;
  if (!endpoint) return undefined;
  const withScheme = endpoint.includes('://') ? endpoint : `tcp://${endpoint}`;
  if (!env.DOCKER_TLS_VERIFY) return { endpoint: withScheme };
  return { endpoint: withScheme, tls: { certPath: env.DOCKER_CERT_PATH || join(homedir(), '.docker') } };
}

/** The endpoint in its canonical form (`unix:///path` for a bare socket path). */
export function canonicalEndpoint(endpoint: string): string {
  return endpoint.startsWith('/') ? `unix://${endpoint}` : endpoint;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function tlsOptions(endpoint: string, tls: EngineTls): DockerOptions {
  const fromDir = (file: string) => (tls.certPath ? join(tls.certPath, file) : undefined);
  const ca = tls.ca ?? fromDir('ca.pem');
  const cert = tls.cert ?? fromDir('cert.pem');
  const key = tls.key ?? fromDir('key.pem');
  if ((cert === undefined) !== (key === undefined))
    throw configError(
      endpoint,
      cert === undefined ? 'tls.key: needs tls.cert too' : 'tls.cert: needs tls.key too',
    );
  return {
    protocol: 'https',
    ...(ca !== undefined ? { ca: pem(endpoint, 'tls.ca', ca) } : {}),
    ...(cert !== undefined ? { cert: pem(endpoint, 'tls.cert', cert) } : {}),
    ...(key !== undefined ? { key: pem(endpoint, 'tls.key', key) } : {}),
  };
}

function sshOptions(endpoint: string, url: URL, host: string, ssh: EngineSsh): DockerOptions {
  const port = Number(url.port || 22);
  const username = decodeURIComponent(url.username) || userInfo().username;
  const privateKey =
    ssh.privateKey === undefined ? undefined : pem(endpoint, 'ssh.privateKey', ssh.privateKey);
  const agent = process.env.SSH_AUTH_SOCK;
  if (!privateKey && !agent)
    throw configError(endpoint, 'ssh.privateKey: needed (no SSH agent at SSH_AUTH_SOCK either)');
  const knownHostsPath = ssh.knownHosts ?? join(homedir(), '.ssh', 'known_hosts');
  let knownHosts: string;
  try {
    knownHosts = readFileSync(knownHostsPath, 'utf8');
  } catch (error) {
    throw configError(
      endpoint,
      `ssh.knownHosts: cannot read ${knownHostsPath} (${(error as NodeJS.ErrnoException).code ?? error}); the host's key must be listed there (ssh-keyscan -p ${port} ${host})`,
    );
  }
  // HTTP through an agent whose connections are dial-stdio sessions on the host (see sshHttpAgent);
  // docker-modem passes `agent` on to Node's http.request (its typings leave it out).
  const options = {
    ...notFromEnvironment,
    protocol: 'http',
    host,
    port,
    agent: sshHttpAgent({
      host,
      port,
      username,
      ...(privateKey ? { privateKey } : { agent }),
      ...(ssh.passphrase ? { passphrase: ssh.passphrase } : {}),
      readyTimeout: 10_000,
      // ssh2 trusts any host key unless told otherwise; Baton trusts only known_hosts.
      hostVerifier: (key: Buffer) => checkKnownHost(knownHosts, host, port, key).trusted,
    }),
  };
  return options as DockerOptions;
}

/** A PEM value: the text itself, or the file it names. */
function pem(endpoint: string, field: string, value: string): string {
  if (value.includes('-----BEGIN ')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    throw configError(
      endpoint,
      `${field}: cannot read ${value} (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
}

function configError(endpoint: string, message: string): EngineError {
  return new EngineError(`engine ${endpoint}: ${message}`, { operation: 'connect', endpoint });
}
