import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Baton,
  type BatonOptions,
  type Clock,
  createBaton,
  silentLogger,
  systemClock,
} from '../src/index.js';

/** The system clock, counting the timers Baton has set and not yet seen fire or cleared. */
function countingClock(): Clock & { readonly pending: number } {
  const pending = new Set<unknown>();
  return {
    now: () => systemClock.now(),
    setTimeout(fn, ms) {
      const handle: unknown = systemClock.setTimeout(() => {
        pending.delete(handle);
        fn();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle);
      systemClock.clearTimeout(handle);
    },
    get pending() {
      return pending.size;
    },
  };
}

/**
 * Active handles by type (sockets, fs watchers, ref'd timers, …), as Node reports them. One-shot
 * requests (an fs call in flight: FSReqCallback, FSReqPromise) are not handles and end by
 * themselves, so they are left out: under load one may still be in flight at the moment of counting.
 */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo())
    if (!/Req(Callback|Promise|Wrap)$/.test(r)) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

const processEvents = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection'];
const processListeners = () => Object.fromEntries(processEvents.map((e) => [e, process.listenerCount(e)]));

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** One life: start, some work on every controller's path (a service that cannot be placed), stop. */
async function live(options: BatonOptions): Promise<Baton> {
  const baton = await createBaton({ logger: silentLogger, seed: 3, ...options });
  await baton.start();
  await baton.registerTaskDefinition({
    family: 'leak',
    containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64 }],
  });
  await baton.createService({ serviceName: 'web', taskDefinition: 'leak', desiredCount: 1 });
  const leadership: unknown[] = [];
  baton.leadership$.subscribe((l) => leadership.push(l));
  expect(leadership).toEqual([[]]); // emits at once without leader election
  await baton.stop();
  return baton;
}

async function cycles(n: number, options: () => BatonOptions): Promise<void> {
  const clock = countingClock();
  await live({ ...options(), clock }); // warm-up: modules loaded, lazy singletons made
  await settle();
  const baseline = { resources: activeResources(), listeners: processListeners() };
  let last: Baton | undefined;
  for (let i = 0; i < n; i++) last = await live({ ...options(), clock });
  await settle();
  expect(clock.pending).toBe(0);
  // No more of any kind than before the 50 lives (one of the warm-up's timers may have ended since).
  const after = activeResources();
  for (const [kind, n] of Object.entries(after))
    expect({ kind, n }).toEqual({ kind, n: Math.min(n, baseline.resources[kind] ?? 0) });
  expect(processListeners()).toEqual(baseline.listeners);
  // Nothing is left listening to a stopped Baton's caches.
  for (const [kind, informer] of Object.entries(last!.internals.informers))
    expect({ kind, observed: informer.changes.observed }).toEqual({ kind, observed: false });
}

describe('Baton start/stop', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('returns handles, timers and listeners to their baseline after 50 lives over the memory store', async () => {
    await cycles(50, () => ({}));
  }, 60_000);

  it('returns handles, timers and listeners to their baseline after 50 lives over the durable store', async () => {
    await cycles(50, () => {
      const dir = mkdtempSync(join(tmpdir(), 'baton-lifecycle-'));
      dirs.push(dir);
      return { dataDir: dir };
    });
  }, 120_000);

  it('stops the capacity controllers it attached', async () => {
    // Its evaluation ticks run on Baton's clock: count that clock's timers.
    const clock = countingClock();
    const baton = await createBaton({ logger: silentLogger, clock });
    await baton.start();
    await settle();
    const before = clock.pending;
    let launches = 0;
    baton.attachCapacityProvider(
      {
        name: 'pool',
        autoScalingGroupProvider: { managedScaling: { targetCapacity: 100 }, minSize: 0, maxSize: 1 },
      },
      {
        instanceTemplate: () => ({ registeredResources: [] }),
        launchEngines: async () => {
          launches++;
          return [];
        },
        terminateEngines: async () => {},
      },
      { intervalMs: 1000 },
    );
    expect(clock.pending).toBeGreaterThan(before); // its evaluation timer
    await baton.stop();
    await settle();
    expect(clock.pending).toBe(0);
    expect(launches).toBe(0);
  });
});
