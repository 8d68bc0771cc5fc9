import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { ControllerLoop } from '../src/controller-loop.js';
import { Counters, type LogRecord } from '../src/observability.js';

const flush = () => new Promise((r) => setImmediate(r));

function loop(
  clock: ManualClock,
  reconcile: (key: string) => Promise<{ requeueAfterMs?: number } | undefined>,
  keys: string[] = [],
) {
  const logs: LogRecord[] = [];
  const counters = new Counters();
  const l = new ControllerLoop<string>({
    name: 'test',
    reconcile,
    keys: () => keys,
    workers: 2,
    resyncMs: 10_000,
    clock,
    random: () => 0.5,
    logger: (r) => logs.push(r),
    counters,
    queue: { baseBackoffMs: 100, ratePerSecond: 1000, burst: 1000 },
  });
  return { l, logs, counters };
}

describe('ControllerLoop', () => {
  it('retries a failing key with per-key exponential back-off, and logs why', async () => {
    const clock = new ManualClock();
    const calls: number[] = [];
    const { l, logs, counters } = loop(clock, async () => {
      calls.push(clock.now());
      if (calls.length < 4) throw new Error('engine busy');
      return undefined;
    });
    l.start();
    l.enqueue('svc');
    for (let i = 0; i < 20; i++) {
      await flush();
      clock.advance(50);
    }
    await flush();
    expect(calls).toEqual([0, 100, 300, 700]);
    expect(logs[0]).toMatchObject({
      level: 'warn',
      msg: 'reconcile failed; will retry',
      key: 'svc',
      error: 'engine busy',
      retryInMs: 100,
    });
    expect(counters.get('baton_reconcile_total', { controller: 'test', result: 'error' })).toBe(3);
    expect(counters.get('baton_reconcile_total', { controller: 'test', result: 'success' })).toBe(1);
    await l.stop();
  });

  it('honours requeueAfter exactly', async () => {
    const clock = new ManualClock();
    const calls: number[] = [];
    const { l } = loop(clock, async () => {
      calls.push(clock.now());
      return calls.length < 3 ? { requeueAfterMs: 1234 } : undefined;
    });
    l.start();
    l.enqueue('svc');
    for (let i = 0; i < 10; i++) {
      await flush();
      clock.advance(617);
    }
    expect(calls).toEqual([0, 1234, 2468]);
    await l.stop();
  });

  it('resyncs every key periodically (a lost event costs latency, not correctness)', async () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    const { l } = loop(
      clock,
      async (k) => {
        seen.push(k);
        return undefined;
      },
      ['a', 'b'],
    );
    l.start();
    await flush();
    expect(seen).toEqual([]);
    clock.advance(10_000); // 0.8 + 0.4 × 0.5 = 1.0 × resyncMs
    for (let i = 0; i < 5; i++) await flush();
    expect(seen.sort()).toEqual(['a', 'b']);
    await l.stop();
  });
});
