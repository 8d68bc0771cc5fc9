import { connect, createServer as createTcpServer } from 'node:net';
import type { UnhealthyStateRouting } from '@baton-ecs/model';
import { BehaviorSubject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BalancerTarget, createListener, type Listener } from '../src/index.js';
import { type Backend, backend, closedPort, get } from './helpers.js';

let backends: Backend[] = [];
const target = (b: { port: number }, state: BalancerTarget['state'] = 'healthy', key = `k${b.port}`) => ({
  key,
  host: '127.0.0.1',
  port: b.port,
  state,
});

beforeAll(async () => {
  backends = await Promise.all(['a', 'b', 'c'].map(backend));
});
afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
});

describe('embedded HTTP listener', () => {
  // ELB's slow start, through a real listener: the duration follows the group's attribute stream and
  // the ramp follows the listener's clock (a manual one here: virtual time).
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#slow-start-mode
  it('slow start: a newly healthy target gets a linearly growing share of real requests', async () => {
    const [a, b] = backends as [Backend, Backend];
    const clock = { now: 0 };
    const slowStartMs = new BehaviorSubject(60_000);
    const targets = new BehaviorSubject<readonly BalancerTarget[]>([target(a), target(b, 'initial')]);
    const lb = await createListener({ targets, slowStartMs, now: () => clock.now });
    const bodies = async (n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push((await get(lb.port)).body);
      return out;
    };
    try {
      targets.next([target(a), target(b)]); // b healthy at t = 0: its ramp starts
      expect(await bodies(4)).toEqual(['a', 'a', 'a', 'a']);
      clock.now = 30_000; // half way: b gets 1 request in 3 (0.5 / 1.5)
      expect((await bodies(30)).filter((x) => x === 'b')).toHaveLength(10);
      slowStartMs.next(0); // the attribute set to 0: the ramp ends, plain round robin
      expect((await bodies(10)).filter((x) => x === 'b')).toHaveLength(5);
    } finally {
      await lb.close();
    }
  });

  it('round-robins over healthy targets and counts what it did', async () => {
    const targets = new BehaviorSubject<readonly BalancerTarget[]>(backends.map((b) => target(b)));
    const lb = await createListener({ targets });
    try {
      const bodies = [];
      for (let i = 0; i < 6; i++) bodies.push((await get(lb.port)).body);
      expect(new Set(bodies)).toEqual(new Set(['a', 'b', 'c']));
      expect(bodies.filter((b) => b === 'a')).toHaveLength(2);
      const s = lb.stats();
      expect(s).toMatchObject({ requests: 6, retries: 0, errors: 0, responses: { '2xx': 6 } });
      expect(s.targets.map((t) => t.requests)).toEqual([2, 2, 2]);
    } finally {
      await lb.close();
    }
  });

  it('a draining target finishes its request in flight and gets no new ones', async () => {
    const [a, b] = backends as [Backend, Backend];
    const targets = new BehaviorSubject<readonly BalancerTarget[]>([target(a)]);
    const lb = await createListener({ targets });
    try {
      const slow = get(lb.port, '/slow');
      await a.slowInFlight();
      targets.next([target(a, 'draining'), target(b)]);
      expect(lb.drained(`k${a.port}`)).toBe(false);
      const during = await Promise.all([get(lb.port), get(lb.port), get(lb.port)]);
      expect(during.map((r) => r.body)).toEqual(['b', 'b', 'b']);
      expect(lb.drained(`k${a.port}`)).toBe(false); // its request is still in flight
      a.releaseSlow();
      expect(await slow).toEqual({ status: 200, body: 'a' });
      expect(lb.drained(`k${a.port}`)).toBe(true);
    } finally {
      await lb.close();
    }
  });

  it('retries a refused connection once on another target; fails open with no healthy target (ELB), 503 with none registered', async () => {
    const dead = { port: await closedPort() };
    const targets = new BehaviorSubject<readonly BalancerTarget[]>([
      target(dead, 'healthy', 'a-dead'),
      target(backends[1]!, 'healthy', 'b'),
    ]);
    const lb = await createListener({ targets });
    try {
      const results = await Promise.all([1, 2, 3, 4].map(() => get(lb.port)));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(lb.stats().retries).toBeGreaterThanOrEqual(1);
      targets.next([target(backends[0]!, 'unhealthy')]);
      expect(await get(lb.port)).toEqual({ status: 200, body: 'a' });
      targets.next([target(backends[0]!, 'draining')]);
      expect((await get(lb.port)).status).toBe(503);
      expect(lb.stats().errors).toBe(1);
    } finally {
      await lb.close();
    }
  });

  it('failOpen: false answers 503 when no target is healthy; thresholds follow an observable', async () => {
    const targets = new BehaviorSubject<readonly BalancerTarget[]>([
      target(backends[0]!, 'healthy'),
      target(backends[1]!, 'unhealthy'),
    ]);
    const closed = await createListener({ targets, failOpen: false });
    const routing = new BehaviorSubject<UnhealthyStateRouting>({
      minimumHealthyTargetsCount: 1,
      minimumHealthyTargetsPercentage: 'off',
    });
    const open = await createListener({ targets, unhealthyStateRouting: routing });
    try {
      targets.next([target(backends[1]!, 'unhealthy')]);
      expect((await get(closed.port)).status).toBe(503);
      targets.next([target(backends[0]!, 'healthy'), target(backends[1]!, 'unhealthy')]);
      expect([(await get(open.port)).body, (await get(open.port)).body]).toEqual(['a', 'a']);
      routing.next({ minimumHealthyTargetsCount: 2, minimumHealthyTargetsPercentage: 'off' });
      expect(new Set([(await get(open.port)).body, (await get(open.port)).body])).toEqual(
        new Set(['a', 'b']),
      );
    } finally {
      await closed.close();
      await open.close();
    }
  });

  it('least outstanding requests steers around a busy target', async () => {
    const [a, b] = backends as [Backend, Backend];
    const targets = new BehaviorSubject<readonly BalancerTarget[]>([target(a), target(b)]);
    const lb = await createListener({ targets, algorithm: 'least_outstanding_requests' });
    try {
      const slow = get(lb.port, '/slow');
      await Promise.race([a.slowInFlight(), b.slowInFlight()]);
      const busy = lb.stats().targets.find((t) => t.inFlight === 1)!.address;
      const quick = [await get(lb.port), await get(lb.port)];
      const other = busy.endsWith(`:${a.port}`) ? 'b' : 'a';
      expect(quick.map((r) => r.body)).toEqual([other, other]);
      a.releaseSlow();
      b.releaseSlow();
      await slow;
    } finally {
      await lb.close();
    }
  });
});

describe('embedded TCP listener', () => {
  it('splices connections to healthy targets, retrying a refused one', async () => {
    const echo = createTcpServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const port = (echo.address() as { port: number }).port;
    const dead = await closedPort();
    const targets = new BehaviorSubject<readonly BalancerTarget[]>([
      { key: 'a-dead', host: '127.0.0.1', port: dead, state: 'healthy' },
      { key: 'b', host: '127.0.0.1', port, state: 'healthy' },
    ]);
    const lb: Listener = await createListener({ targets, protocol: 'TCP' });
    try {
      for (let i = 0; i < 3; i++) {
        const reply = await new Promise<string>((resolve, reject) => {
          const c = connect({ host: '127.0.0.1', port: lb.port }, () => c.write(`ping${i}`));
          c.once('data', (d) => {
            resolve(d.toString());
            c.destroy();
          });
          c.once('error', reject);
        });
        expect(reply).toBe(`ping${i}`);
      }
      expect(lb.stats().retries).toBeGreaterThanOrEqual(1);
    } finally {
      await lb.close();
      await new Promise((r) => echo.close(r));
    }
  });
});
