import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { jsonLogger, type Logger, type LogRecord } from '@baton-ecs/loop';
import { dockerConfigCredentials } from '@baton-ecs/registry-client';
import { etcdStore } from '@baton-ecs/store';
import { createBaton } from '../baton.js';
import { createConsoleHandler } from '../console/index.js';
import { engineLogsRoute } from './engine-logs-route.js';
import { operatorRoutes } from './operator-routes.js';
import { isLoopback, type ServeConfig, serveConfig, serveUsage } from './serve-config.js';

export interface ServeIo {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

/**
 * `baton serve`: Baton with its engines, and AWS's API for it on one port. Prints exactly one
 * line on stdout, `Baton listening on http(s)://HOST:PORT`, once it accepts requests; logs go to
 * stderr. SIGTERM/SIGINT stop it cleanly: containers keep running, and the next start adopts them.
 * Resolves with the exit code.
 */
export async function serve(io: ServeIo): Promise<number> {
  const config = serveConfig(io.argv, io.env);
  if (config === 'help') {
    io.stdout(serveUsage);
    return 0;
  }
  const logger = config.logFormat === 'json' ? jsonLogger('info', io.stderr) : textLogger(io.stderr);
  const running = await start(config, logger);
  // The handlers go in before the line is printed: a caller may signal the moment it reads the line,
  // and the process can be descheduled between the write and installing a handler.
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  io.stdout(`Baton listening on ${running.url}`);
  logger({ level: 'info', msg: 'stopping', signal: await signal });
  await running.stop();
  return 0;
}

/** Starts Baton and its endpoint per `config`; `stop()` closes both and leaves containers running. */
export async function start(
  config: ServeConfig,
  logger: Logger,
): Promise<{ url: string; server: Server; stop: () => Promise<void> }> {
  const store = config.etcd
    ? etcdStore({ endpoints: config.etcd, prefix: `/baton/${config.cluster}`, ...config.etcdAccess })
    : undefined;
  const baton = await createBaton({
    cluster: config.cluster,
    engines: config.engines,
    arn: { partition: 'aws', region: config.region, account: config.accountId },
    logger,
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    ...(config.instanceLostAfterMs !== undefined ? { instanceLostAfterMs: config.instanceLostAfterMs } : {}),
    ...(config.secrets ? { secrets: config.secrets } : {}),
    ...(config.registry
      ? {
          registry: {
            registries: config.registry.registries,
            insecure: config.registry.insecure,
            credentials: dockerConfigCredentials(
              config.registry.config ? { path: config.registry.config } : {},
            ),
          },
        }
      : {}),
    ...(store ? { store, leaderElection: {} } : {}),
    ...(Object.keys(config.agent.settings).length > 0 ? { agent: { settings: config.agent.settings } } : {}),
  });
  await baton.start();
  if (config.credentials.length === 0)
    logger({
      level: 'warn',
      msg: 'no credentials configured: any access key is accepted (signatures are checked for form and time only); loopback only',
    });
  const handler = baton.apiHandler({
    ...(config.credentials.length > 0 ? { credentials: config.credentials } : { acceptAnyKey: true }),
    maxBodyBytes: config.maxBodyBytes,
    logger,
  });
  // The web console at /console (docs/console.md); every other path is the API's.
  const ui = await createConsoleHandler(baton, {
    credentials: config.credentials,
    readNeedsLogin: !isLoopback(config.host),
    secureCookie: config.tls !== undefined,
    logger,
  });
  // /metrics, /healthz, /readyz (docs/cli.md). The server listens only once baton.start() has
  // resolved, i.e. once the caches are in sync.
  const operator = operatorRoutes(baton, () => true);
  // `baton logs` of containers that log with the engine's own driver (signed like the API).
  const engineLogs = engineLogsRoute(baton, {
    credentials: config.credentials,
    acceptAnyKey: config.credentials.length === 0,
  });
  const app: typeof handler = (req, res) => {
    if (!operator(req, res) && !engineLogs(req, res)) ui(req, res, () => handler(req, res));
  };
  const server = config.tls
    ? createHttpsServer({ cert: config.tls.cert, key: config.tls.key }, app)
    : createHttpServer(app);
  // Slow clients cannot hold a connection open: headers within 10 s, the whole request within 30 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    ui.close();
    await baton.stop();
    if (
      store &&
      !(await store
        .close()
        .then(() => true)
        .catch(() => false))
    )
      logger({ level: 'warn', msg: 'etcd close failed' });
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${port}`;
  return {
    url,
    server,
    stop: async () => {
      ui.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
      await baton.stop();
      await store?.close();
    },
  };
}

/** `time level msg key=value…` lines. */
export function textLogger(write: (line: string) => void): Logger {
  const levels: Record<LogRecord['level'], number> = { debug: 10, info: 20, warn: 30, error: 40 };
  return ({ level, msg, ...fields }) => {
    if (levels[level] < levels.info) return;
    const rest = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
      .join(' ');
    write(`${new Date().toISOString()} ${level.toUpperCase()} ${msg}${rest ? ` ${rest}` : ''}`);
  };
}
