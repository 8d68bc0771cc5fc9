import type { SchedulerLike } from 'rxjs';

/**
 * A scheduler whose clock reads `epochMs` later than the given one: runs a
 * TestScheduler (which starts at 0) at a real date, so schedules, time
 * zones and period alignment can be tested in virtual time.
 */
export function atEpoch(scheduler: SchedulerLike, epochMs: number): SchedulerLike {
  return {
    now: () => epochMs + scheduler.now(),
    schedule: scheduler.schedule.bind(scheduler) as SchedulerLike['schedule'],
  };
}
