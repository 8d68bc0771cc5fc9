import { type SchedulerAction, type SchedulerLike, Subscription } from 'rxjs';

/** Time for the shell: injectable so queue and controller timing is testable. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Timers never keep an embedding process alive on their own.
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Calls `fn` every `ms` on `clock` until the returned function is called (heartbeats, full resyncs).
 * Each tick is set when the previous one fires, on the clock, so a ManualClock moves it exactly.
 */
export function every(clock: Clock, ms: number, fn: () => void): () => void {
  let handle: unknown;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    handle = clock.setTimeout(tick, ms);
    fn();
  };
  handle = clock.setTimeout(tick, ms);
  return () => {
    stopped = true;
    clock.clearTimeout(handle);
  };
}

/** A clock whose time moves only when told: for tests. */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, firing due timers in order; returns how many fired. */
  advance(ms: number): number {
    const until = this.time + ms;
    let fired = 0;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers)
        if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      fired++;
      next[1].fn();
    }
    this.time = until;
    return fired;
  }

  /** When the earliest pending timer is due; undefined when none is pending. */
  nextTimerAt(): number | undefined {
    let at: number | undefined;
    for (const timer of this.timers.values()) if (at === undefined || timer.at < at) at = timer.at;
    return at;
  }

  get pendingTimers(): number {
    return this.timers.size;
  }
}

/**
 * An RxJS scheduler over a Clock: what Baton's time-based streams (the scalers' evaluation ticks,
 * their debounces) run on, so a ManualClock drives them as it drives the controllers' timers.
 * An action runs once per schedule; rescheduling from inside it (as `timer`/`interval` do) sets a
 * fresh timeout.
 */
export function clockScheduler(clock: Clock): SchedulerLike {
  return {
    now: () => clock.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
      return new ClockAction(clock, work).schedule(state, delay);
    },
  };
}

class ClockAction<T> extends Subscription implements SchedulerAction<T> {
  private handle: unknown;

  constructor(
    private readonly clock: Clock,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
  ) {
    super();
  }

  override unsubscribe(): void {
    this.cancel();
    super.unsubscribe();
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.cancel();
    const handle = this.clock.setTimeout(() => {
      if (this.handle !== handle || this.closed) return;
      this.handle = undefined;
      try {
        this.work.call(this, state);
      } finally {
        // Done unless the work scheduled itself again.
        if (this.handle === undefined) this.unsubscribe();
      }
    }, delay);
    this.handle = handle;
    return this;
  }

  private cancel(): void {
    if (this.handle === undefined) return;
    this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }
}
