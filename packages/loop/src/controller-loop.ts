import { randomUUID } from 'node:crypto';
import { type Clock, systemClock } from './clock.js';
import type { Counters, Logger, LogRecord } from './observability.js';
import { WorkQueue, type WorkQueueOptions } from './work-queue.js';

export interface ReconcileOutcome {
  /** Look at the key again after this long even if nothing changes. */
  readonly requeueAfterMs?: number;
  /** Look at the key again soon, with the same back-off as an error (ignored when `requeueAfterMs` is set). */
  readonly requeue?: boolean;
}

/** What one reconcile pass is handed beside its key. */
export interface ReconcileContext {
  /** Aborted when the loop stops: a pass that sees it aborted should write nothing more. */
  readonly signal: AbortSignal;
  /** Unique per pass; every line `logger` writes carries it, with the controller's name and the key. */
  readonly reconcileId: string;
  readonly logger: Logger;
}

/**
 * An error retrying cannot fix (a malformed object, a refused configuration): the loop logs it
 * and forgets the key until something enqueues it again, instead of backing off and retrying.
 */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
  }
}

/** `start()` gave up waiting for the caches the loop reads. */
export class CacheSyncTimeoutError extends Error {
  override readonly name = 'CacheSyncTimeoutError';
  constructor(
    readonly controller: string,
    readonly kinds: readonly string[],
    readonly timeoutMs: number,
  ) {
    super(
      `controller ${controller}: caches ${kinds.join(', ')} did not sync within ${timeoutMs} ms; ` +
        'is the store reachable?',
    );
  }
}

/** A cache the loop reads: it starts work only once every one has synced. */
export interface SyncedCache {
  readonly kind: string;
  readonly synced: Promise<void>;
}

export interface ControllerLoopOptions<K> {
  readonly name: string;
  readonly reconcile: (key: K, context: ReconcileContext) => Promise<ReconcileOutcome | undefined>;
  /** Every key, for the periodic resync. */
  readonly keys: () => Iterable<K>;
  readonly workers?: number;
  /** Periodic resync of every key, ±20% jitter. Default 30 s; 0 disables. */
  readonly resyncMs?: number;
  readonly queue?: WorkQueueOptions;
  readonly clock?: Clock;
  readonly random?: () => number;
  /** Caches to wait for before the first reconcile. */
  readonly caches?: readonly SyncedCache[];
  /** How long `start()` waits for `caches` before it fails with CacheSyncTimeoutError. Default 2 min. */
  readonly cacheSyncTimeoutMs?: number;
  readonly logger: Logger;
  readonly counters: Counters;
}

/** Reconcile results, as the `result` label of `baton_reconcile_total`. */
export type ReconcileResult = 'success' | 'error' | 'requeue' | 'requeue_after';

type Unsubscribable = { unsubscribe(): void };

/**
 * Runs a reconcile function over a work queue, as controller-runtime's controller does: N workers,
 * per-key back-off on errors (never on a TerminalError), exact requeueAfter, a jittered periodic
 * resync so a lost event costs latency, never correctness, an AbortSignal per pass aborted on
 * stop, a reconcile id in every log line of a pass, and a worker that survives whatever a
 * reconcile throws. Metrics: `baton_reconcile_total{controller,result}`,
 * `baton_reconcile_errors_total`, `baton_terminal_reconcile_errors_total` and the histogram
 * `baton_reconcile_time_seconds{controller}` (on the loop's clock).
 */
export class ControllerLoop<K> {
  readonly queue: WorkQueue<K>;
  private readonly clock: Clock;
  private workers: Promise<void>[] = [];
  private resyncHandle: unknown;
  private running = false;
  private stopped = false;
  private readonly inFlight = new Set<AbortController>();
  private readonly owned: Unsubscribable[] = [];
  private cancelSyncWait: (() => void) | undefined;

  constructor(private readonly options: ControllerLoopOptions<K>) {
    this.clock = options.clock ?? systemClock;
    this.queue = new WorkQueue<K>({ ...options.queue, clock: this.clock });
  }

  /**
   * Waits for the caches to sync (failing with CacheSyncTimeoutError after `cacheSyncTimeoutMs`),
   * then starts the workers and the resync. A loop runs once: after `stop()` it stays stopped.
   */
  async start(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    const caches = this.options.caches ?? [];
    if (caches.length > 0) await this.waitForCaches(caches);
    if (this.stopped) return;
    for (let i = 0; i < (this.options.workers ?? 4); i++) this.workers.push(this.work());
    this.scheduleResync();
  }

  /** Stops taking keys, aborts the passes in flight, waits for them, and disposes what the loop owns. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    this.cancelSyncWait?.();
    for (const s of this.owned.splice(0)) s.unsubscribe();
    if (this.resyncHandle !== undefined) this.clock.clearTimeout(this.resyncHandle);
    this.queue.shutDown();
    for (const c of this.inFlight) c.abort(new Error(`controller ${this.options.name} stopping`));
    await Promise.all(this.workers);
    this.workers = [];
  }

  /** Hands the loop subscriptions (watches feeding it): they end when the loop stops. */
  own(...subscriptions: Unsubscribable[]): void {
    if (this.stopped) for (const s of subscriptions) s.unsubscribe();
    else this.owned.push(...subscriptions);
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

  private waitForCaches(caches: readonly SyncedCache[]): Promise<void> {
    const { name, cacheSyncTimeoutMs = 120_000 } = this.options;
    const pending = new Set(caches.map((c) => c.kind));
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        this.clock.clearTimeout(timer);
        this.cancelSyncWait = undefined;
        if (error) {
          this.running = false;
          reject(error);
        } else resolve();
      };
      const timer = this.clock.setTimeout(
        () => settle(new CacheSyncTimeoutError(name, [...pending], cacheSyncTimeoutMs)),
        cacheSyncTimeoutMs,
      );
      this.cancelSyncWait = () => settle();
      for (const c of caches)
        void c.synced.then(() => {
          pending.delete(c.kind);
          if (pending.size === 0) settle();
        });
    });
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.pass(key);
      } catch (error) {
        // The bookkeeping itself failed (a throwing logger or counter): the worker lives on.
        safeLog(this.options.logger, {
          level: 'error',
          msg: 'controller worker recovered',
          controller: this.options.name,
          ...describe(error),
        });
      }
    }
  }

  /** One reconcile of `key`: runs it, records its result, and requeues it as the result says. */
  private async pass(key: K): Promise<void> {
    const { name, reconcile, counters } = this.options;
    const started = this.clock.now();
    const reconcileId = randomUUID();
    // The pass's own fields come after level and msg, and no record can hide whose pass it was.
    const logger: Logger = ({ level, msg, ...fields }) =>
      this.options.logger({ level, msg, controller: name, key: String(key), ...fields, reconcileId });
    const aborter = new AbortController();
    this.inFlight.add(aborter);
    let result: ReconcileResult | undefined;
    try {
      // Invoked inside the try, so a reconcile that throws before returning its promise is caught too.
      const outcome = await reconcile(key, { signal: aborter.signal, reconcileId, logger });
      result = this.requeueAsTold(key, outcome);
    } catch (error) {
      result = this.onError(key, error, aborter.signal, logger);
    } finally {
      this.inFlight.delete(aborter);
      this.queue.done(key);
    }
    if (result === undefined) return;
    counters.inc('baton_reconcile_total', { controller: name, result });
    counters.observe(
      'baton_reconcile_time_seconds',
      { controller: name },
      (this.clock.now() - started) / 1000,
    );
  }

  private requeueAsTold(key: K, outcome: ReconcileOutcome | undefined): ReconcileResult {
    if (outcome?.requeueAfterMs !== undefined) {
      this.queue.forget(key);
      this.queue.addAfter(key, outcome.requeueAfterMs);
      return 'requeue_after';
    }
    if (outcome?.requeue) {
      this.queue.addRateLimited(key);
      return 'requeue';
    }
    this.queue.forget(key);
    return 'success';
  }

  private onError(key: K, error: unknown, signal: AbortSignal, logger: Logger): ReconcileResult | undefined {
    const { name, counters } = this.options;
    if (signal.aborted) {
      logger({ level: 'debug', msg: 'reconcile ended by stop', ...describe(error) });
      return undefined;
    }
    counters.inc('baton_reconcile_errors_total', { controller: name });
    if (error instanceof TerminalError) {
      this.queue.forget(key);
      counters.inc('baton_terminal_reconcile_errors_total', { controller: name });
      logger({ level: 'error', msg: 'reconcile failed; not retrying (terminal error)', ...describe(error) });
      return 'error';
    }
    const retryInMs = this.queue.addRateLimited(key);
    logger({
      level: 'warn',
      msg: 'reconcile failed; will retry',
      retryInMs,
      attempt: this.queue.numRequeues(key),
      ...describe(error),
    });
    return 'error';
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

/** An error as log fields: its message and, when it has one, its stack. */
function describe(error: unknown): { error: string; stack?: string } {
  if (error instanceof Error) return { error: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { error: String(error) };
}

function safeLog(logger: Logger, record: LogRecord): void {
  try {
    logger(record);
  } catch {
    // Nothing left to tell: the logger itself is what failed.
  }
}
