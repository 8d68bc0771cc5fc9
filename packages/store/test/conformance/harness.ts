import { afterEach } from 'vitest';
import type { Store } from '../../src/index.js';
import { type TestKinds, testKinds } from './kinds.js';

/** What the suite passes to a backend factory. */
export interface ConformanceStoreOptions {
  readonly kinds: TestKinds;
  /** The store's clock; tests move it. */
  readonly clock: () => number;
  /** Committed events retained for replay. */
  readonly watchWindow: number;
  /** Undelivered events per watcher before it is ended. */
  readonly maxBufferedEvents: number;
}

export interface StoreUnderTest {
  readonly store: Store<TestKinds>;
  /** Closes the store (if still open) and removes whatever the factory created. */
  cleanup(): Promise<void>;
  /** Optional: close and open the same data again (durable backends); enables the restart tests. */
  reopen?(): Promise<Store<TestKinds>>;
}

export type StoreFactory = (options: ConformanceStoreOptions) => Promise<StoreUnderTest>;

export const T0 = Date.UTC(2025, 0, 1);

export interface Harness {
  readonly store: Store<TestKinds>;
  readonly clock: { now: number };
  reopen?(): Promise<Store<TestKinds>>;
}

/** Per-test store setup with automatic cleanup. */
export function useStore(makeStore: StoreFactory) {
  const open: StoreUnderTest[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.cleanup();
  });
  return async (
    options: Partial<Omit<ConformanceStoreOptions, 'kinds' | 'clock'>> = {},
  ): Promise<Harness> => {
    const clock = { now: T0 };
    const sut = await makeStore({
      kinds: testKinds,
      clock: () => clock.now,
      watchWindow: options.watchWindow ?? 1000,
      maxBufferedEvents: options.maxBufferedEvents ?? 1000,
    });
    open.push(sut);
    return { store: sut.store, clock, reopen: sut.reopen?.bind(sut) };
  };
}
