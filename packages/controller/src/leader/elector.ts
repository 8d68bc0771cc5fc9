import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Logger } from '@baton-ecs/loop';
import type { LockRecord, WriteFence } from '@baton-ecs/store';
import { BehaviorSubject } from 'rxjs';
import type { LeaderLock } from './lock.js';

/** Timing of leader election, as in controller-runtime (defaults 15 s / 10 s / 2 s). */
export interface LeaderElectionOptions {
  /** Who this replica is, in the lock and in logs. Default `<hostname>-<pid>-<random>`. */
  readonly identity?: string;
  /**
   * How long a lock outlives its holder's last renewal: the etcd lease TTL (whole seconds, rounded
   * up), so the longest a dead leader keeps others waiting. Default 15 s.
   */
  readonly leaseDurationMs?: number;
  /** A leader that has not renewed for this long stops acting (before its lease can expire). Default 10 s. */
  readonly renewDeadlineMs?: number;
  /** How often a leader renews and a follower tries to take over. Default 2 s. */
  readonly retryPeriodMs?: number;
}

/** One stretch of leadership. Writes made for it go through a store fenced with `fence`. */
export interface LeaderTerm {
  readonly lock: string;
  readonly identity: string;
  readonly record: LockRecord;
  readonly fence: WriteFence;
  /** Epoch ms. */
  readonly startedAt: number;
  /** Aborted (with the reason) when the term ends. */
  readonly ended: AbortSignal;
}

export interface LeaderState {
  readonly lock: string;
  readonly leading: boolean;
  /** The current holder, as last seen (this replica's identity while leading). */
  readonly holder: string | undefined;
  /** Why this replica last stopped leading or could not campaign. */
  readonly reason?: string;
}

export interface ElectorCallbacks {
  /** Start the single-writer work; runs while the elector keeps renewing. */
  onStartedLeading(term: LeaderTerm): Promise<void> | void;
  /** Stop it; the next term starts only after this resolves. */
  onStoppedLeading(term: LeaderTerm, reason: string): Promise<void> | void;
}

export function defaultIdentity(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

const describe = (err: unknown): string =>
  err instanceof Error ? err.message.replace(/\s+/g, ' ').trim() : String(err ?? 'no error recorded');

/**
 * Campaigns for one lock and keeps it: a follower renews its own lease and tries to create the
 * lock key every retry period; a leader renews every retry period and steps down — stops acting,
 * then releases — when a renewal has not succeeded for `renewDeadlineMs`, when etcd says its lease
 * is gone, or when the key is no longer its own. Because the deadline is shorter than the lease
 * (which etcd counts from a renewal it received after we sent it), a leader that loses contact
 * stops before anyone else can win the lock; fenced writes cover whatever is still in flight.
 */
export class LeaderElector {
  readonly identity: string;
  readonly state$: BehaviorSubject<LeaderState>;
  private readonly leaseMs: number;
  private readonly deadlineMs: number;
  private readonly retryMs: number;
  private lease: string | undefined;
  /** performance.now() when the last successful grant or renewal was sent. */
  private leaseFreshAt = 0;
  private term:
    | { readonly term: LeaderTerm; readonly abort: AbortController; started: Promise<void> }
    | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private lastError: unknown;
  private lastLogged = '';

  constructor(
    private readonly lock: LeaderLock,
    options: LeaderElectionOptions,
    private readonly callbacks: ElectorCallbacks,
    private readonly logger: Logger,
  ) {
    this.identity = options.identity ?? defaultIdentity();
    this.leaseMs = options.leaseDurationMs ?? 15_000;
    this.deadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryMs = options.retryPeriodMs ?? 2_000;
    if (!(this.leaseMs > this.deadlineMs && this.deadlineMs > this.retryMs && this.retryMs > 0)) {
      throw new Error(
        `leader election needs leaseDurationMs > renewDeadlineMs > retryPeriodMs > 0 (got ${this.leaseMs} / ${this.deadlineMs} / ${this.retryMs})`,
      );
    }
    this.state$ = new BehaviorSubject<LeaderState>({ lock: lock.name, leading: false, holder: undefined });
  }

  get leading(): boolean {
    return this.term !== undefined;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops campaigning; a leader stops acting, then releases the lock so a successor need not wait. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.term) await this.keepLeading();
        else await this.campaign();
        this.lastError = undefined;
      } catch (err) {
        this.lastError = err;
        this.note(err);
      }
      if (this.term && performance.now() - this.leaseFreshAt > this.deadlineMs) {
        await this.stepDown(
          `could not renew its lease within the renew deadline (${this.deadlineMs} ms): ${describe(this.lastError)}`,
        );
      }
      if (!this.stopped) await this.pause(this.retryMs);
    }
    if (this.term) await this.stepDown('this replica is stopping');
    await this.releaseLease();
    this.lock.close();
  }

  private async campaign(): Promise<void> {
    const sentAt = performance.now();
    if (this.lease) {
      const ttl = await this.lock.renew(this.lease, this.retryMs);
      if (ttl > 0) this.leaseFreshAt = sentAt;
      else this.lease = undefined;
    }
    if (!this.lease) {
      this.lease = await this.lock.grant(this.leaseMs / 1000);
      this.leaseFreshAt = sentAt;
    }
    const { acquired, record } = await this.lock.tryAcquire(this.lease, this.identity);
    if (this.stopped) return;
    if (acquired && record) return this.becomeLeader(record);
    const holder = record?.holder;
    const state = this.state$.value;
    if (holder !== state.holder || state.reason !== undefined) {
      this.state$.next({ lock: this.lock.name, leading: false, holder });
      if (holder) this.logger({ level: 'info', msg: 'following', lock: this.lock.name, leader: holder });
    }
    if (this.lastLogged) {
      this.logger({ level: 'info', msg: 'etcd answers again', lock: this.lock.name });
      this.lastLogged = '';
    }
  }

  private becomeLeader(record: LockRecord): void {
    const abort = new AbortController();
    const term: LeaderTerm = {
      lock: this.lock.name,
      identity: this.identity,
      record,
      fence: this.lock.fence(record),
      startedAt: Date.now(),
      ended: abort.signal,
    };
    this.logger({ level: 'info', msg: 'became leader', lock: this.lock.name, identity: this.identity });
    this.state$.next({ lock: this.lock.name, leading: true, holder: this.identity });
    // Start without blocking the loop: renewals go on while the work starts.
    const started = Promise.resolve()
      .then(() => this.callbacks.onStartedLeading(term))
      .catch((err: unknown) => {
        this.logger({
          level: 'error',
          msg: 'could not start leading',
          lock: this.lock.name,
          error: describe(err),
        });
        if (this.term?.term === term) {
          void this.stepDown(`could not start leading: ${describe(err)}`);
        }
      });
    this.term = { term, abort, started };
  }

  private async keepLeading(): Promise<void> {
    const current = this.term;
    if (!current || !this.lease) return;
    const sentAt = performance.now();
    const left = this.deadlineMs - (sentAt - this.leaseFreshAt);
    const ttl = await this.lock.renew(this.lease, Math.max(50, left));
    if (ttl <= 0) return this.stepDown('etcd no longer has its lease (it expired)');
    this.leaseFreshAt = sentAt;
    const holder = await this.lock.holder();
    if (holder?.createRevision !== current.term.record.createRevision) {
      return this.stepDown(holder ? `the lock is now held by ${holder.holder}` : 'the lock key is gone');
    }
  }

  private async stepDown(reason: string): Promise<void> {
    const current = this.term;
    if (!current) return;
    this.term = undefined;
    current.abort.abort(reason);
    this.logger({
      level: reason === 'this replica is stopping' ? 'info' : 'warn',
      msg: 'stopped leading',
      lock: this.lock.name,
      identity: this.identity,
      reason,
    });
    this.state$.next({ lock: this.lock.name, leading: false, holder: undefined, reason });
    await current.started;
    try {
      await this.callbacks.onStoppedLeading(current.term, reason);
    } catch (err) {
      this.logger({
        level: 'error',
        msg: 'could not stop leading cleanly',
        lock: this.lock.name,
        error: describe(err),
      });
    }
    await this.releaseLease();
  }

  /** Revokes the lease (best effort): the key goes at once instead of at the lease's expiry. */
  private async releaseLease(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    if (!lease) return;
    await Promise.race([
      this.lock.release(lease).catch(() => {}),
      new Promise((r) => setTimeout(r, this.retryMs).unref?.()),
    ]);
  }

  /** Logs an etcd failure once per distinct message, saying what it means for this replica. */
  private note(err: unknown): void {
    const text = describe(err);
    if (text === this.lastLogged) return;
    this.lastLogged = text;
    this.logger({
      level: 'warn',
      msg: this.term
        ? 'leader cannot renew its lease; will stop acting at the renew deadline'
        : 'cannot campaign',
      lock: this.lock.name,
      identity: this.identity,
      error: text,
    });
    if (!this.term) this.state$.next({ ...this.state$.value, reason: `cannot reach etcd: ${text}` });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
