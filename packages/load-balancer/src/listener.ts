import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as NetServer } from 'node:net';
import type { LoadBalancingAlgorithm, UnhealthyStateRouting } from '@baton-ecs/model';
import { isObservable, type Observable, Subscription } from 'rxjs';
import { HttpProxy } from './http-proxy.js';
import { type BalancerTarget, TargetPool } from './pool.js';
import { type ListenerStats, MutableStats } from './stats.js';
import { TcpProxy } from './tcp-proxy.js';

export interface ListenerOptions {
  /** The target group's targets, re-emitted whenever they or their states change. */
  readonly targets: Observable<readonly BalancerTarget[]>;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** HTTP reverse proxy or plain TCP. Default HTTP. */
  readonly protocol?: 'HTTP' | 'TCP';
  /** ELB's `load_balancing.algorithm.type`. Default round_robin. */
  readonly algorithm?: LoadBalancingAlgorithm;
  /**
   * ELB's unhealthy state routing thresholds (`target_group_health.unhealthy_state_routing.*`), fixed or
   * following the group's attributes. Default ELB's: fail open — route to every registered target —
   * when none is healthy.
   */
  readonly unhealthyStateRouting?: UnhealthyStateRouting | Observable<UnhealthyStateRouting>;
  /**
   * ELB's slow start (`slow_start.duration_seconds`, in ms here), fixed or following the group's
   * attributes: a target that becomes healthy while another is settled gets a linearly growing share
   * of new requests over this long. Default 0: off.
   */
  readonly slowStartMs?: number | Observable<number>;
  /** The clock slow start ramps by. Default Date.now. */
  readonly now?: () => number;
  /** Baton only: `false` never fails open (503 with no healthy target). `true` is ELB's default. */
  readonly failOpen?: boolean;
  /** HTTP: a target that has not answered after this long gets a 504. Default 60 s (ELB's idle timeout). */
  readonly requestTimeoutMs?: number;
  /** HTTP: idle keep-alive connections kept per target. Default 64. */
  readonly keepAliveSockets?: number;
}

/** A running listener of the embedded load balancer. */
export interface Listener {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'HTTP' | 'TCP';
  stats(): ListenerStats;
  /**
   * Whether this listener sends the target no new requests and has none in flight: what a
   * target-group controller asks to end draining before the deregistration delay.
   */
  drained(targetKey: string): boolean;
  /** Stops accepting, closes idle connections, waits for requests in flight. */
  close(): Promise<void>;
}

/** Starts a listener on 127.0.0.1 (by default) that balances over the healthy targets. */
export async function createListener(options: ListenerOptions): Promise<Listener> {
  const protocol = options.protocol ?? 'HTTP';
  const fixed = options.unhealthyStateRouting;
  const slowStart = options.slowStartMs ?? 0;
  const pool = new TargetPool(
    options.algorithm ?? 'round_robin',
    options.failOpen === false ? false : fixed && !isObservable(fixed) ? fixed : true,
    { durationMs: isObservable(slowStart) ? 0 : slowStart, now: options.now ?? Date.now },
  );
  const stats = new MutableStats();
  const host = options.host ?? '127.0.0.1';
  let server: Server | NetServer;
  let http: HttpProxy | undefined;
  if (protocol === 'HTTP') {
    const proxy = new HttpProxy({
      pool,
      stats,
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      keepAliveSockets: options.keepAliveSockets ?? 64,
    });
    http = proxy;
    const s = createServer((req, res) => proxy.handle(req, res));
    s.keepAliveTimeout = 60_000;
    server = s;
  } else {
    const proxy = new TcpProxy(pool, stats);
    server = createTcpServer((socket) => proxy.handle(socket));
  }
  const subscription: Subscription = new Subscription();
  // The duration first, so the first targets already see it.
  if (isObservable(slowStart)) subscription.add(slowStart.subscribe((ms) => pool.setSlowStart(ms)));
  subscription.add(
    options.targets.subscribe((targets) => {
      for (const idle of pool.update(targets)) http?.closeIdle(idle.key);
    }),
  );
  if (options.failOpen !== false && isObservable(fixed))
    subscription.add(
      fixed.subscribe((routing) => {
        for (const idle of pool.setRouting(routing)) http?.closeIdle(idle.key);
      }),
    );
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    subscription.unsubscribe();
    throw error;
  }
  const port = (server.address() as { port: number }).port;
  return {
    host,
    port,
    protocol,
    stats: () => ({
      requests: stats.requests,
      responses: { ...stats.responses },
      retries: stats.retries,
      errors: stats.errors,
      targets: pool.all().map((e) => ({
        key: e.key,
        address: `${e.host}:${e.port}`,
        state: e.removed ? 'unused' : e.state,
        requests: e.requests,
        inFlight: e.inFlight,
        failures: e.failures,
      })),
    }),
    drained: (key) => pool.drained(key),
    close: async () => {
      subscription.unsubscribe();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      // Keep-alive clients that never go idle do not hold the close up for long.
      const force = setTimeout(() => {
        if ('closeAllConnections' in server) server.closeAllConnections();
      }, 5_000);
      await closed;
      clearTimeout(force);
      http?.close();
    },
  };
}
