import { type Clock, systemClock } from './clock.js';

export interface WorkQueueOptions {
  /** Per-key back-off after failures: base·2^(n−1), capped. Defaults 5 ms and 60 s. */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Overall rate limit on rate-limited re-adds (token bucket). Defaults 50/s, burst 300. */
  readonly ratePerSecond?: number;
  readonly burst?: number;
  readonly clock?: Clock;
}

/**
 * A controller work queue in the manner of controller-runtime's:
 * - a key is queued at most once (adding it again while queued is a no-op);
 * - a key is never processed twice at once: added while being processed, it
 *   is queued again when `done` is called;
 * - `addAfter` waits exactly (the earliest deadline wins);
 * - `addRateLimited` backs a failing key off exponentially, and all such
 *   re-adds share a token bucket so a storm of failures cannot spin.
 */
export class WorkQueue<K> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { at: number; handle: unknown }>();
  private readonly failures = new Map<K, number>();
  private readonly getters: ((key: K | undefined) => void)[] = [];
  private readonly clock: Clock;
  private readonly base: number;
  private readonly max: number;
  private readonly rate: number;
  private readonly burst: number;
  private tokens: number;
  private tokensAt: number;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.base = options.baseBackoffMs ?? 5;
    this.max = options.maxBackoffMs ?? 60_000;
    this.rate = options.ratePerSecond ?? 50;
    this.burst = options.burst ?? 300;
    this.tokens = this.burst;
    this.tokensAt = this.clock.now();
  }

  /** Queues `key` now, unless it is already queued. */
  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(key);
      this.processing.add(key);
      getter(key);
    } else {
      this.queue.push(key);
    }
  }

  /** Queues `key` after `ms` (at once if ms ≤ 0). An earlier pending deadline for the key wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const pending = this.waiting.get(key);
    if (pending && pending.at <= at) return;
    if (pending) this.clock.clearTimeout(pending.handle);
    const handle = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { at, handle });
  }

  /** Queues a key that failed: after its per-key back-off, within the overall rate limit. */
  addRateLimited(key: K): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const backoff = Math.min(this.max, this.base * 2 ** Math.min(n - 1, 40));
    const delay = Math.max(backoff, this.bucketDelay());
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears a key's failure count (after a success). */
  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process, waiting for one; undefined once the queue is shut down. */
  get(): Promise<K | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks `key` processed; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  /** Stops handing out keys: pending and future `get`s resolve undefined; timers are cleared. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { handle } of this.waiting.values()) this.clock.clearTimeout(handle);
    this.waiting.clear();
    for (const g of this.getters.splice(0)) g(undefined);
  }

  /** Keys queued and ready now. */
  get length(): number {
    return this.queue.length;
  }

  /** Keys waiting on a timer. */
  get delayed(): number {
    return this.waiting.size;
  }

  get busy(): number {
    return this.processing.size;
  }

  private bucketDelay(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.tokensAt) / 1000) * this.rate);
    this.tokensAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000);
  }
}
