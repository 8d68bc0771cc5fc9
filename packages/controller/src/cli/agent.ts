import { createServer, type Server } from 'node:http';
import { Counters, jsonLogger, systemClock } from '@baton-ecs/loop';
import { defaultArnContext } from '@baton-ecs/model';
import { dockerConfigCredentials } from '@baton-ecs/registry-client';
import { DockerEngine, EngineSecurityError, type ImagePinner } from '@baton-ecs/runtime-docker';
import { type BatonKinds, etcdStore, type Store } from '@baton-ecs/store';
import { SecretCipher, SecretResolver, SecretsApi } from '../secrets/index.js';
import { BatonInjector } from '../secrets/injector.js';
import { imagePinnerOf } from '../wiring.js';
import { type AgentConfig, agentConfig, agentUsage } from './agent-config.js';
import { HostAgent } from './agent-host.js';
import { agentOperatorRoutes } from './operator-routes.js';
import type { ServeIo } from './serve.js';
import { textLogger } from './serve.js';

/**
 * `baton agent`: one host's task agent, joined to its cluster through etcd (see HostAgent). Prints
 * one line on stdout, `Baton agent <containerInstanceArn> on <engine>`, once it has started; logs go
 * to stderr. A certificate or key the engine refuses stops it at once (exit 1) rather than being
 * retried; an engine or etcd that does not answer yet is waited for. SIGTERM/SIGINT stop it and
 * release its lock; its containers keep running, and the next start adopts them.
 */
export async function agent(io: ServeIo): Promise<number> {
  const config = agentConfig(io.argv, io.env);
  if (config === 'help') {
    io.stdout(agentUsage);
    return 0;
  }
  const logger = config.logFormat === 'json' ? jsonLogger('info', io.stderr) : textLogger(io.stderr);
  const refused = await engineRefusal(config);
  if (refused) {
    io.stderr(`baton agent: ${refused.message}`);
    return 1;
  }
  const store = etcdStore({
    endpoints: config.etcd.endpoints,
    prefix: `/baton/${config.cluster}`,
    ...(config.etcd.tls ? { tls: config.etcd.tls } : {}),
    ...(config.etcd.auth ? { auth: config.etcd.auth } : {}),
  });
  const counters = new Counters();
  let metrics: Server | undefined;
  if (config.metricsPort !== undefined) {
    try {
      metrics = await listenForMetrics(config.metricsPort, () => counters.text());
    } catch (error) {
      io.stderr(
        `baton agent: --metrics-port: cannot listen on 127.0.0.1:${config.metricsPort}: ${(error as Error).message}`,
      );
      await store.close();
      return 1;
    }
  }
  const host = new HostAgent({
    store,
    cluster: config.cluster,
    engine: config.engine,
    election: config.election,
    agent: { settings: config.agent.settings, ...injection(config, store) },
    logger,
    counters,
  });
  host.start();
  // Handlers before the line: a caller may signal as soon as it reads it (see serve.ts).
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  io.stdout(`Baton agent ${host.containerInstanceArn} on ${config.engine.endpoint}`);
  logger({ level: 'info', msg: 'stopping', signal: await signal });
  await host.stop();
  if (metrics) await new Promise<void>((resolve) => metrics.close(() => resolve()));
  await store.close();
  return 0;
}

/** /metrics and /healthz on 127.0.0.1 only: they are not signed, so they are never reachable beyond it. */
function listenForMetrics(port: number, counters: () => string): Promise<Server> {
  const routes = agentOperatorRoutes(counters);
  const server = createServer((req, res) => {
    if (!routes(req, res)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/**
 * The task agent's secrets and image pinning, resolved on this host as the control plane resolves
 * them for its own engines (wiring.ts): the same resolver chain over the same stores, the same
 * pinner. Values go into the containers' environment only, never into a log line or a record.
 */
function injection(
  config: AgentConfig,
  store: Store<BatonKinds>,
): { readonly injector: BatonInjector; readonly images?: ImagePinner } {
  const { secrets } = config;
  const region = config.region ?? 'us-east-1';
  const local = new SecretsApi(
    store,
    secrets.encryptionKey ? new SecretCipher(secrets.encryptionKey) : undefined,
    systemClock,
    { ...defaultArnContext, region },
  );
  const injector = new BatonInjector({
    store,
    region,
    resolver: new SecretResolver({ local, fileRoots: secrets.fileRoots }),
  });
  const images =
    secrets.registries.length > 0
      ? imagePinnerOf({
          registry: {
            registries: secrets.registries,
            insecure: secrets.insecureRegistries,
            credentials: dockerConfigCredentials(
              secrets.registryConfig ? { path: secrets.registryConfig } : {},
            ),
          },
        })
      : undefined;
  return { injector, ...(images ? { images } : {}) };
}

/** The engine's refusal of this agent's certificate or key, if it refuses; an absent engine is not one. */
async function engineRefusal(config: AgentConfig): Promise<Error | undefined> {
  const { endpoint, tls, ssh, allowInsecure } = config.engine;
  try {
    const engine = new DockerEngine(endpoint, {
      ...(tls ? { tls } : {}),
      ...(ssh ? { ssh } : {}),
      ...(allowInsecure ? { allowInsecure } : {}),
    });
    await engine.ping(10_000);
    return undefined;
  } catch (error) {
    if (error instanceof EngineSecurityError) return error;
    // A misconfiguration (a certificate file that is not there) is as final as a refusal.
    if (error instanceof Error && (error as { operation?: string }).operation === 'connect') return error;
    return undefined;
  }
}
