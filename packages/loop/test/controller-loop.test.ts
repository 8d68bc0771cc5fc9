import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  CacheSyncTimeoutError,
  ControllerLoop,
  Counters,
  type LogRecord,
  ManualClock,
  type ReconcileContext,
  type ReconcileOutcome,
  type SyncedCache,
  TerminalError,
} from '../src/index.js';

const flush = () => new Promise((r) => setImmediate(r));

function loop(
  clock: ManualClock,
  reconcile: (key: string, context: ReconcileContext) => Promise<ReconcileOutcome | undefined>,
  keys: string[] = [],
  caches?: SyncedCache[],
  workers = 2,
) {
  const logs: LogRecord[] = [];
  const counters = new Counters();
  const l = new ControllerLoop<string>({
    name: 'test',
    reconcile,
    keys: () => keys,
    workers,
    resyncMs: 10_000,
    clock,
    random: () => 0.5,
    logger: (r) => logs.push(r),
    counters,
    queue: { baseBackoffMs: 100, ratePerSecond: 1000, burst: 1000 },
    ...(caches ? { caches, cacheSyncTimeoutMs: 5000 } : {}),
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
    await l.start();
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
    await l.start();
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
    await l.start();
    await flush();
    expect(seen).toEqual([]);
    clock.advance(10_000); // 0.8 + 0.4 × 0.5 = 1.0 × resyncMs
    for (let i = 0; i < 5; i++) await flush();
    expect(seen.sort()).toEqual(['a', 'b']);
    await l.stop();
  });

  it('does not retry a TerminalError, and runs the key again when it is enqueued again', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const { l, logs, counters } = loop(clock, async () => {
      calls++;
      throw new TerminalError('task definition is malformed');
    });
    await l.start();
    l.enqueue('svc');
    for (let i = 0; i < 20; i++) {
      await flush();
      clock.advance(1000);
    }
    expect(calls).toBe(1);
    expect(l.queue.delayed).toBe(0);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      level: 'error',
      msg: 'reconcile failed; not retrying (terminal error)',
      error: 'task definition is malformed',
    });
    expect(counters.get('baton_terminal_reconcile_errors_total', { controller: 'test' })).toBe(1);
    expect(counters.get('baton_reconcile_total', { controller: 'test', result: 'error' })).toBe(1);
    l.enqueue('svc');
    await flush();
    expect(calls).toBe(2);
    await l.stop();
  });

  it('hands each pass an AbortSignal that stop() aborts, and waits for the pass to end', async () => {
    const clock = new ManualClock();
    const signals: AbortSignal[] = [];
    let ended = false;
    const { l, counters } = loop(clock, (_key, { signal }) => {
      signals.push(signal);
      return new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          ended = true;
          reject(signal.reason);
        });
      });
    });
    await l.start();
    l.enqueue('a');
    l.enqueue('b');
    await flush();
    expect(signals).toHaveLength(2);
    expect(signals[0]).not.toBe(signals[1]);
    expect(signals.some((s) => s.aborted)).toBe(false);
    await l.stop();
    expect(ended).toBe(true);
    expect(signals.every((s) => s.aborted)).toBe(true);
    // A pass ended by stop is neither an error nor retried.
    expect(counters.get('baton_reconcile_total', { controller: 'test', result: 'error' })).toBe(0);
    expect(l.queue.delayed).toBe(0);
  });

  it('waits for its caches before the first pass, and fails start with a clear error when they never sync', async () => {
    const clock = new ManualClock();
    let markSynced!: () => void;
    const tasks: SyncedCache = { kind: 'Task', synced: new Promise((r) => (markSynced = r)) };
    const seen: string[] = [];
    const ok = loop(
      clock,
      async (k) => {
        seen.push(k);
        return undefined;
      },
      [],
      [tasks, { kind: 'Service', synced: Promise.resolve() }],
    );
    const started = ok.l.start();
    ok.l.enqueue('svc');
    await flush();
    expect(seen).toEqual([]);
    markSynced();
    await started;
    await flush();
    expect(seen).toEqual(['svc']);
    await ok.l.stop();

    const never = loop(
      clock,
      async () => undefined,
      [],
      [
        { kind: 'Service', synced: Promise.resolve() },
        { kind: 'Task', synced: new Promise(() => {}) },
      ],
    );
    const failing = never.l.start();
    await flush();
    clock.advance(5000);
    await expect(failing).rejects.toThrow(CacheSyncTimeoutError);
    await expect(failing).rejects.toThrow(
      'controller test: caches Task did not sync within 5000 ms; is the store reachable?',
    );
    expect(clock.pendingTimers).toBe(0);
    await never.l.stop();
  });

  it('stop() during the cache wait ends the wait without starting work or leaving a timer', async () => {
    const clock = new ManualClock();
    const { l } = loop(clock, async () => undefined, [], [{ kind: 'Task', synced: new Promise(() => {}) }]);
    const started = l.start();
    await l.stop();
    await expect(started).resolves.toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });

  it('puts one reconcile id on every log line of a pass, and a new one on the next pass', async () => {
    const clock = new ManualClock();
    let pass = 0;
    const { l, logs } = loop(clock, async (_key, { logger }) => {
      pass++;
      logger({ level: 'info', msg: 'planning', reconcileId: 'forged', key: 'other' });
      logger({ level: 'info', msg: 'committing' });
      if (pass === 1) throw new Error('conflict');
      return undefined;
    });
    await l.start();
    l.enqueue('svc');
    await flush();
    clock.advance(100);
    await flush();
    expect(logs.map((r) => r.msg)).toEqual([
      'planning',
      'committing',
      'reconcile failed; will retry',
      'planning',
      'committing',
    ]);
    const first = logs.slice(0, 3).map((r) => r.reconcileId);
    const second = logs.slice(3).map((r) => r.reconcileId);
    expect(new Set(first).size).toBe(1);
    expect(new Set(second).size).toBe(1);
    expect(first[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(second[0]).not.toBe(first[0]);
    expect(logs.every((r) => r.controller === 'test')).toBe(true);
    // The pass's own fields win over the loop's, except the reconcile id.
    expect(logs[0]?.key).toBe('other');
    expect(logs[1]?.key).toBe('svc');
    await l.stop();
  });

  it('counts each result and records every pass in a duration histogram', async () => {
    const clock = new ManualClock();
    const outcomes: Record<string, () => ReconcileOutcome | undefined> = {
      ok: () => undefined,
      later: () => ({ requeueAfterMs: 60_000 }),
      again: () => ({ requeue: true }),
      bad: () => {
        throw new Error('boom');
      },
    };
    // One worker, so each pass's time on the loop's clock is its own.
    const { l, counters } = loop(
      clock,
      async (k) => {
        clock.advance(k === 'later' ? 300 : 20);
        return outcomes[k]!();
      },
      [],
      undefined,
      1,
    );
    await l.start();
    for (const k of Object.keys(outcomes)) l.enqueue(k);
    for (let i = 0; i < 4; i++) await flush();
    const total = (result: string) => counters.get('baton_reconcile_total', { controller: 'test', result });
    expect(total('success')).toBe(1);
    expect(total('requeue_after')).toBe(1);
    expect(total('requeue')).toBeGreaterThanOrEqual(1);
    expect(total('error')).toBeGreaterThanOrEqual(1);
    const h = counters.histogram('baton_reconcile_time_seconds', { controller: 'test' })!;
    const passes = total('success') + total('requeue_after') + total('requeue') + total('error');
    expect(h.count).toBe(passes);
    expect(h.buckets.find((b) => b.le === 0.025)?.count).toBe(passes - 1); // every pass but 'later'
    expect(h.buckets.find((b) => b.le === 0.3)?.count).toBe(passes);
    const text = counters.text();
    const les = [
      ...text.matchAll(/baton_reconcile_time_seconds_bucket\{controller="test",le="([^"]+)"\}/g),
    ].map((m) => m[1]);
    expect(les.at(-1)).toBe('+Inf');
    const bounds = les.slice(0, -1).map(Number);
    expect(bounds).toEqual([...bounds].sort((a, b) => a - b));
    expect(text).toContain(`baton_reconcile_time_seconds_count{controller="test"} ${passes}`);
    await l.stop();
  });

  it('survives a reconcile that throws before returning a promise, logging the stack', async () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    function reconcileWithBug(key: string): Promise<undefined> {
      seen.push(key);
      if (key === 'bad' && seen.filter((k) => k === 'bad').length === 1) {
        const missing = undefined as unknown as { field: string };
        return Promise.resolve(missing.field as unknown as undefined);
      }
      return Promise.resolve(undefined);
    }
    const { l, logs, counters } = loop(clock, reconcileWithBug);
    await l.start();
    l.enqueue('bad');
    l.enqueue('good');
    await flush();
    expect(logs[0]).toMatchObject({ level: 'warn', key: 'bad' });
    expect(logs[0]?.error).toMatch(/Cannot read properties of undefined/);
    expect(String(logs[0]?.stack)).toContain('reconcileWithBug');
    clock.advance(100);
    await flush();
    expect(seen).toEqual(['bad', 'good', 'bad']);
    expect(counters.get('baton_reconcile_total', { controller: 'test', result: 'success' })).toBe(2);
    await l.stop();
  });

  it('disposes the subscriptions it owns on stop', async () => {
    const clock = new ManualClock();
    const { l } = loop(clock, async () => undefined);
    const changes = new Subject<string>();
    l.own(changes.subscribe((k) => l.enqueue(k)));
    await l.start();
    expect(changes.observed).toBe(true);
    await l.stop();
    expect(changes.observed).toBe(false);
    // Handed over after stop: disposed at once.
    const late = new Subject<string>();
    l.own(late.subscribe(() => {}));
    expect(late.observed).toBe(false);
  });
});
