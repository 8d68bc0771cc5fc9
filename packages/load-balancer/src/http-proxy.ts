import {
  Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type ServerResponse,
} from 'node:http';
import type { PoolEntry, TargetPool } from './pool.js';
import type { MutableStats } from './stats.js';

/** Headers that describe one connection, never forwarded (RFC 9110 §7.6.1). */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export interface HttpProxyOptions {
  readonly pool: TargetPool;
  readonly stats: MutableStats;
  /** A target that has not answered after this long gets a 504. */
  readonly requestTimeoutMs: number;
  /** Idle keep-alive connections kept per target. */
  readonly keepAliveSockets: number;
}

function forwardHeaders(headers: IncomingHttpHeaders, req: IncomingMessage): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase()),
  );
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || hopByHop.has(k) || named.has(k)) continue;
    out[k] = v;
  }
  if (req.headers['transfer-encoding']) out['transfer-encoding'] = 'chunked';
  const client = req.socket.remoteAddress ?? '';
  const prior = headers['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
  out['x-forwarded-proto'] = 'http';
  out['x-forwarded-port'] = String(req.socket.localPort ?? '');
  return out;
}

/**
 * The HTTP half of a listener: each request goes to a target the pool picks, over a keep-alive
 * connection to it. A connection the target refuses (nothing was sent) — or a reused keep-alive
 * connection it reset before answering a request without a body — is retried once on another
 * target when the method is idempotent. Clients never see a target's connection errors as
 * anything but a 502.
 */
export class HttpProxy {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly o: HttpProxyOptions) {}

  handle(req: IncomingMessage, res: ServerResponse): void {
    const { stats } = this.o;
    stats.requests++;
    const method = req.method ?? 'GET';
    const bodyless =
      req.headers['transfer-encoding'] === undefined &&
      (req.headers['content-length'] === undefined || req.headers['content-length'] === '0');
    const retryable = idempotentMethods.has(method);
    const tried = new Set<string>();
    let clientGone = false;
    res.on('close', () => {
      clientGone = !res.writableFinished;
    });

    const fail = (status: number, message: string) => {
      stats.errors++;
      stats.response(status);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(message) });
      res.end(message);
    };

    const attempt = () => {
      const entry = this.o.pool.pick(tried);
      if (!entry)
        return fail(tried.size === 0 ? 503 : 502, tried.size === 0 ? 'no healthy target\n' : 'bad gateway\n');
      tried.add(entry.key);
      this.o.pool.acquire(entry);
      let released = false;
      const release = (failed: boolean) => {
        if (released) return;
        released = true;
        if (this.o.pool.release(entry, failed)) this.closeIdle(entry.key);
      };
      let connected = false;
      let responded = false;
      const proxyReq = request({
        host: entry.host,
        port: entry.port,
        method,
        path: req.url ?? '/',
        headers: forwardHeaders(req.headers, req),
        agent: this.agentFor(entry),
      });
      proxyReq.setTimeout(this.o.requestTimeoutMs, () => proxyReq.destroy(new TimeoutError()));
      proxyReq.on('socket', (socket) => {
        const start = () => {
          connected = true;
          if (!bodyless) req.pipe(proxyReq);
        };
        if (proxyReq.reusedSocket || !socket.connecting) start();
        else socket.once('connect', start);
      });
      if (bodyless) proxyReq.end();
      proxyReq.on('response', (upstream) => {
        responded = true;
        const status = upstream.statusCode ?? 502;
        stats.response(status);
        const headers: OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(upstream.headers)) {
          if (v !== undefined && !hopByHop.has(k)) headers[k] = v;
        }
        res.writeHead(status, upstream.statusMessage, headers);
        upstream.pipe(res);
        upstream.on('end', () => release(false));
        upstream.on('error', () => {
          release(true);
          res.destroy();
        });
        upstream.on('close', () => release(!upstream.complete));
      });
      proxyReq.on('error', (err: NodeJS.ErrnoException) => {
        release(true);
        if (responded || clientGone) {
          res.destroy();
          return;
        }
        const refused = err.code === 'ECONNREFUSED' && !connected;
        const staleKeepAlive = proxyReq.reusedSocket && err.code === 'ECONNRESET' && bodyless;
        if (retryable && tried.size < 2 && (refused || staleKeepAlive)) {
          stats.retries++;
          attempt();
          return;
        }
        fail(
          err instanceof TimeoutError ? 504 : 502,
          err instanceof TimeoutError ? 'gateway timeout\n' : 'bad gateway\n',
        );
      });
      res.once('close', () => {
        if (!res.writableFinished) proxyReq.destroy();
      });
    };
    attempt();
  }

  /** Closes the keep-alive connections of a target that gets no more requests. */
  closeIdle(key: string): void {
    const agent = this.agents.get(key);
    if (!agent) return;
    this.agents.delete(key);
    agent.destroy();
  }

  close(): void {
    for (const key of [...this.agents.keys()]) this.closeIdle(key);
  }

  private agentFor(entry: PoolEntry): Agent {
    let agent = this.agents.get(entry.key);
    if (!agent) {
      agent = new Agent({ keepAlive: true, maxFreeSockets: this.o.keepAliveSockets, scheduling: 'lifo' });
      this.agents.set(entry.key, agent);
    }
    return agent;
  }
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor() {
    super('target did not answer in time');
  }
}
