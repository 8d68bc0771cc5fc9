import { Observable } from 'rxjs';

/**
 * Time for the task agent: its heartbeats, resyncs, requeues and action timestamps all read this
 * clock, so the clock given to `createBaton` (a `ManualClock` in a simulation) drives the agents too.
 * Structurally the same as baton-ecs's `Clock`, which satisfies it.
 */
export interface AgentClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall-clock time; its timers never keep a process alive on their own. */
export const systemAgentClock: AgentClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Calls `fn` every `ms` on `clock` until the returned function is called. */
export function every(clock: AgentClock, ms: number, fn: () => void): () => void {
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

/** Emits once after `ms` on `clock`, then completes (rxjs's `timer`, on an injected clock). */
export function clockTimer(clock: AgentClock, ms: number): Observable<0> {
  return new Observable<0>((subscriber) => {
    const handle = clock.setTimeout(() => {
      subscriber.next(0);
      subscriber.complete();
    }, ms);
    return () => clock.clearTimeout(handle);
  });
}
