import {
  asyncScheduler,
  catchError,
  of,
  type SchedulerLike,
  Subject,
  type Subscription,
  take,
  timeout,
} from 'rxjs';
import { type HealthCheckSpec, sameCheck } from './check.js';
import { defaultProber, type Prober, type ProbeTarget } from './probes.js';
import {
  nextTargetHealth,
  type ProbeOutcome,
  probeFailures,
  registeredTarget,
  type TargetHealthState,
} from './target-health.js';

export interface MonitoredTarget extends ProbeTarget {
  readonly check: HealthCheckSpec;
  /** Where the state machine starts (a restart resumes from the recorded state). Default `initial`. */
  readonly initial?: TargetHealthState;
}

export interface TargetHealthChange {
  readonly key: string;
  readonly health: TargetHealthState;
  readonly previous: TargetHealthState;
}

export interface HealthMonitorOptions {
  /** Time and timers. Default RxJS's asyncScheduler; tests pass a TestScheduler. */
  readonly scheduler?: SchedulerLike;
  /** Checks in flight at once, across every target. Default 32. */
  readonly concurrency?: number;
  /** Runs one check. Default HTTP or TCP by the check's protocol. */
  readonly probe?: Prober;
}

interface Entry {
  target: MonitoredTarget;
  health: TargetHealthState;
  dueAt: number;
  running: Subscription | undefined;
  /** Bumped when the target is replaced, so a late result of the old one is dropped. */
  generation: number;
}

/**
 * Probes many targets on their intervals with one timer and a bound on checks in flight: due
 * targets wait their turn instead of each arming its own timer. Emits a change whenever a target's
 * state (initial / healthy / unhealthy) or reason changes; counters alone changing emit nothing.
 */
export class HealthMonitor {
  readonly changes: Subject<TargetHealthChange> = new Subject();
  private readonly scheduler: SchedulerLike;
  private readonly concurrency: number;
  private readonly probe: Prober;
  private readonly entries = new Map<string, Entry>();
  private inFlight = 0;
  private timer: { at: number; sub: Subscription } | undefined;
  private stopped = false;
  /** Checks started since creation (for tests and metrics). */
  checks = 0;

  constructor(options: HealthMonitorOptions = {}) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.concurrency = Math.max(1, options.concurrency ?? 32);
    this.probe = options.probe ?? defaultProber;
  }

  /** Adds a target, or updates it; its state is kept while its address and check stay the same. */
  upsert(key: string, target: MonitoredTarget): void {
    if (this.stopped) return;
    const existing = this.entries.get(key);
    if (
      existing &&
      existing.target.host === target.host &&
      existing.target.port === target.port &&
      sameCheck(existing.target.check, target.check)
    ) {
      existing.target = target;
      return;
    }
    if (existing) this.cancel(existing);
    this.entries.set(key, {
      target,
      health: target.initial ?? existing?.health ?? registeredTarget(),
      dueAt: this.scheduler.now(),
      running: undefined,
      generation: (existing?.generation ?? 0) + 1,
    });
    this.arm();
  }

  remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.cancel(e);
    this.entries.delete(key);
    this.arm();
  }

  get(key: string): TargetHealthState | undefined {
    return this.entries.get(key)?.health;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  get size(): number {
    return this.entries.size;
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) this.cancel(e);
    this.entries.clear();
    this.timer?.sub.unsubscribe();
    this.timer = undefined;
    this.changes.complete();
  }

  private cancel(e: Entry): void {
    if (e.running) {
      e.running.unsubscribe();
      e.running = undefined;
      this.inFlight--;
    }
    e.generation++;
  }

  /** One timer, for the earliest due target, and only while a check slot is free. */
  private arm(): void {
    if (this.stopped) return;
    let next = Infinity;
    if (this.inFlight < this.concurrency)
      for (const e of this.entries.values()) if (!e.running && e.dueAt < next) next = e.dueAt;
    if (next === Infinity) {
      this.timer?.sub.unsubscribe();
      this.timer = undefined;
      return;
    }
    if (this.timer && this.timer.at <= next) return;
    this.timer?.sub.unsubscribe();
    const at = next;
    const delay = Math.max(0, at - this.scheduler.now());
    this.timer = {
      at,
      sub: this.scheduler.schedule(() => {
        this.timer = undefined;
        this.tick();
      }, delay),
    };
  }

  private tick(): void {
    const now = this.scheduler.now();
    const due = [...this.entries]
      .filter(([, e]) => !e.running && e.dueAt <= now)
      .sort((a, b) => a[1].dueAt - b[1].dueAt);
    for (const [key, e] of due) {
      if (this.inFlight >= this.concurrency || this.stopped) break;
      this.start(key, e);
    }
    this.arm();
  }

  private start(key: string, e: Entry): void {
    const startedAt = this.scheduler.now();
    const generation = e.generation;
    const { check } = e.target;
    this.inFlight++;
    this.checks++;
    let done = false;
    const sub = this.probe(e.target, check)
      .pipe(
        take(1),
        timeout({ first: check.timeoutMs, scheduler: this.scheduler, with: () => of(probeFailures.timeout) }),
        catchError((err: unknown) => of(probeFailures.failed(String(err)))),
      )
      .subscribe((outcome) => {
        done = true;
        this.finish(key, generation, outcome, startedAt);
      });
    // A probe that answered synchronously has already finished (and freed its slot).
    if (!done && e.generation === generation) e.running = sub;
  }

  private finish(key: string, generation: number, outcome: ProbeOutcome, startedAt: number): void {
    const e = this.entries.get(key);
    if (!e || e.generation !== generation) return;
    if (e.running) e.running = undefined;
    this.inFlight--;
    const previous = e.health;
    e.health = nextTargetHealth(previous, outcome, e.target.check);
    // ELB's interval is between the starts of two checks; a slow check delays the next one.
    e.dueAt = Math.max(startedAt + e.target.check.intervalMs, this.scheduler.now());
    if (previous.state !== e.health.state || previous.reason !== e.health.reason)
      this.changes.next({ key, health: e.health, previous });
    this.arm();
  }
}
