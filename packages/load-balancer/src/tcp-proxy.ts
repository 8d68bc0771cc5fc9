import { connect, type Socket } from 'node:net';
import type { TargetPool } from './pool.js';
import type { MutableStats } from './stats.js';

/**
 * The TCP half of a listener: each client connection is spliced to a target the pool picks. A
 * target that refuses the connection is replaced by another once (the client's bytes wait, paused,
 * until a target accepts). In-flight means open connections, so draining waits for them to close.
 */
export class TcpProxy {
  constructor(
    private readonly pool: TargetPool,
    private readonly stats: MutableStats,
  ) {}

  handle(client: Socket): void {
    this.stats.requests++;
    client.pause();
    const tried = new Set<string>();
    let clientClosed = false;
    client.once('close', () => {
      clientClosed = true;
    });
    client.on('error', () => client.destroy());
    const attempt = () => {
      if (clientClosed) return;
      const entry = this.pool.pick(tried);
      if (!entry) {
        this.stats.errors++;
        client.destroy();
        return;
      }
      tried.add(entry.key);
      this.pool.acquire(entry);
      let released = false;
      const release = (failed: boolean) => {
        if (released) return;
        released = true;
        this.pool.release(entry, failed);
      };
      const upstream = connect({ host: entry.host, port: entry.port });
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (!connected && err.code === 'ECONNREFUSED' && tried.size < 2) {
          release(true);
          this.stats.retries++;
          attempt();
          return;
        }
        release(true);
        if (!connected) this.stats.errors++;
        client.destroy();
      });
      upstream.once('close', () => {
        release(false);
        if (connected) client.end();
      });
      client.once('close', () => upstream.destroy());
    };
    attempt();
  }
}
