import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { type FireSchedule, nextFireTime } from '../schedule/next-fire.js';

/** Timers longer than this overflow to "now" in Node; longer waits are taken in legs. */
const maxDelayMs = 2 ** 31 - 1;

/**
 * Emits each fire time of a schedule after subscription, when the scheduler
 * reaches it. Each time is computed from the previous one, so a DST change
 * between fires is honoured.
 */
export function fireTimes(schedule: FireSchedule, scheduler: SchedulerLike): Observable<number> {
  return new Observable<number>((subscriber) => {
    let pending: Subscription | undefined;
    const waitFor = (fireAt: number) => {
      const delay = fireAt - scheduler.now();
      if (delay > maxDelayMs) {
        pending = scheduler.schedule(() => waitFor(fireAt), maxDelayMs);
        return;
      }
      pending = scheduler.schedule(
        () => {
          subscriber.next(fireAt);
          armAfter(fireAt);
        },
        Math.max(0, delay),
      );
    };
    const armAfter = (after: number) => {
      const next = nextFireTime(schedule, after);
      if (next === undefined) subscriber.complete();
      else waitFor(next);
    };
    armAfter(scheduler.now());
    return () => pending?.unsubscribe();
  });
}
