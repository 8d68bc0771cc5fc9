import { type Clock, systemClock } from './clock.js';
import type { Counters, Logger } from './observability.js';
import { WorkQueue, type WorkQueueOptions } from './work-queue.js';

export interface ReconcileOutcome {
  /** Look at the key again after this long even if nothing changes. */
  readonly requeueAfterMs?: number;
}

export interface ControllerLoopOptions<K> {
  readonly name: string;
  readonly reconcile: (key: K) => Promise<ReconcileOutcome | undefined>;
  /** Every key, for the periodic resync. */
  readonly keys: () => Iterable<K>;
  readonly workers?: number;
  /** Periodic resync of every key, ±20% jitter. Default 30 s; 0 disables. */
  readonly resyncMs?: number;
  readonly queue?: WorkQueueOptions;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly logger: Logger;
  readonly counters: Counters;
}

/**
 * Runs a reconcile function over a work queue: N workers, per-key back-off
 * on errors, exact requeueAfter, and a jittered periodic resync so a lost
 * event costs latency, never correctness.
 */
export class ControllerLoop<K> {
  readonly queue: WorkQueue<K>;
  private readonly clock: Clock;
  private workers: Promise<void>[] = [];
  private resyncHandle: unknown;
  private running = false;

  constructor(private readonly options: ControllerLoopOptions<K>) {
    this.clock = options.clock ?? systemClock;
    this.queue = new WorkQueue<K>({ ...options.queue, clock: this.clock });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < (this.options.workers ?? 4); i++) this.workers.push(this.work());
    this.scheduleResync();
  }

  /** Stops taking keys and waits for reconciles in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.resyncHandle !== undefined) this.clock.clearTimeout(this.resyncHandle);
    this.queue.shutDown();
    await Promise.all(this.workers);
    this.workers = [];
  }

  enqueue(key: K): void {
    this.queue.add(key);
  }

  /** Enqueues every key now (what the periodic resync does). */
  resync(): void {
    for (const key of this.options.keys()) this.queue.add(key);
  }

  /** Nothing queued and no reconcile running (keys waiting on a timer do not count). */
  get idle(): boolean {
    return this.queue.length === 0 && this.queue.busy === 0;
  }

  private async work(): Promise<void> {
    const { name, reconcile, logger, counters } = this.options;
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const started = this.clock.now();
      try {
        const outcome = await reconcile(key);
        this.queue.forget(key);
        counters.inc('baton_reconcile_total', { controller: name, result: 'success' });
        if (outcome?.requeueAfterMs !== undefined) this.queue.addAfter(key, outcome.requeueAfterMs);
      } catch (error) {
        const delay = this.queue.addRateLimited(key);
        counters.inc('baton_reconcile_total', { controller: name, result: 'error' });
        logger({
          level: 'warn',
          msg: 'reconcile failed; will retry',
          controller: name,
          key: String(key),
          retryInMs: delay,
          attempt: this.queue.numRequeues(key),
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        this.queue.done(key);
        counters.inc('baton_reconcile_ms_total', { controller: name }, this.clock.now() - started);
      }
    }
  }

  private scheduleResync(): void {
    const every = this.options.resyncMs ?? 30_000;
    if (!this.running || every <= 0) return;
    const jitter = 0.8 + 0.4 * (this.options.random ?? Math.random)();
    this.resyncHandle = this.clock.setTimeout(() => {
      for (const key of this.options.keys()) this.queue.add(key);
      this.scheduleResync();
    }, every * jitter);
  }
}
