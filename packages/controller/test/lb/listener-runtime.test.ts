import { createServer, type Server } from 'node:net';
import type { Listener } from '@baton-ecs/load-balancer';
import type { ListenerRecord } from '@baton-ecs/model';
import { batonKinds, createMemoryStore } from '@baton-ecs/store';
import { describe, expect, it } from 'vitest';
import { Informer, ListenerRuntime, type LogRecord, ManualClock } from '../../src/index.js';

/*
 * Two replicas of Baton on one host serve the same stored listener: the first binds its port, the
 * second retries on Baton's clock and takes over once the first lets go. Planted bugs this was
 * checked to catch: retries on the wall clock (the ManualClock never fires them), a warning logged
 * on every retry, timers left behind by stop().
 */

/** A minimal embedded balancer: a real socket on 127.0.0.1, so a second bind fails as it would. */
function bind(port: number): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer((s) => s.end());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        host: '127.0.0.1',
        port,
        protocol: 'TCP',
        stats: () => ({}) as ReturnType<Listener['stats']>,
        drained: () => true,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    );
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('ListenerRuntime: replicas sharing a host', () => {
  it('the second replica retries on Baton’s clock, logs once, and takes the port when the first lets go', async () => {
    const store = await createMemoryStore({ kinds: batonKinds });
    const clock = new ManualClock();
    const port = await freePort();
    const arn =
      'arn:aws:elasticloadbalancing:local:000000000000:listener/app/web/0123456789abcdef/00000000000000a1';
    const record: ListenerRecord = {
      ListenerArn: arn,
      LoadBalancerArn:
        'arn:aws:elasticloadbalancing:local:000000000000:loadbalancer/app/web/0123456789abcdef',
      Port: port,
      Protocol: 'HTTP',
      DefaultActions: [
        {
          Type: 'forward',
          TargetGroupArn: 'arn:aws:elasticloadbalancing:local:000000000000:targetgroup/web/0123456789abcdef',
        },
      ],
    };
    await store.create('Listener', record);
    const replica = () => {
      const listeners = new Informer(store, 'Listener', clock);
      listeners.start();
      const logs: LogRecord[] = [];
      const opened: number[] = [];
      let attempts = 0;
      let attempted: (() => void) | undefined;
      /** Resolves once the next bind attempt has settled and the runtime has handled its outcome. */
      const nextAttempt = () =>
        new Promise<void>((resolve) => {
          attempted = () => setImmediate(resolve);
        });
      const runtime = new ListenerRuntime({
        listeners,
        clock,
        retryMs: 5_000,
        logger: (r) => logs.push(r),
        open: async (r) => {
          attempts++;
          try {
            const l = await bind(r.Port);
            opened.push(r.Port);
            return l;
          } finally {
            attempted?.();
          }
        },
      });
      return { listeners, runtime, logs, opened, nextAttempt, attempts: () => attempts };
    };
    const first = replica();
    await first.listeners.synced;
    first.runtime.start();
    await first.runtime.apply(record);
    expect(first.runtime.listener(arn)?.port).toBe(port);

    const second = replica();
    await second.listeners.synced;
    let attempt = second.nextAttempt();
    second.runtime.start();
    await attempt; // its first attempt met EADDRINUSE
    expect(second.logs.map((l) => l.msg)).toEqual(['listener: cannot open; retrying']);
    expect(clock.pendingTimers).toBe(1); // the retry, on Baton's clock

    // Three more failed attempts, one per retry period: still one warning.
    for (let i = 0; i < 3; i++) {
      attempt = second.nextAttempt();
      clock.advance(4_999);
      expect(second.attempts()).toBe(1 + i); // not before its period
      clock.advance(1);
      await attempt;
    }
    expect(second.attempts()).toBe(4);
    expect(second.logs.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(second.opened).toEqual([]);

    await first.runtime.stop(); // the first replica goes away and frees the port
    first.listeners.stop();
    attempt = second.nextAttempt();
    clock.advance(5_000);
    await attempt;
    expect(second.opened).toEqual([port]);
    expect(second.runtime.listener(arn)?.port).toBe(port);
    expect(second.logs.map((l) => l.msg)).toEqual(['listener: cannot open; retrying', 'listener: open']);
    expect(clock.pendingTimers).toBe(0); // nothing left to retry

    await second.runtime.stop();
    second.listeners.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
