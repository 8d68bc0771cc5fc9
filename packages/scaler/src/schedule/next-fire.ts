import { type CronSpec, cronMatchesDay, daysInMonth, firstCronYear, lastCronYear } from './cron.js';
import type { ScheduleExpression } from './expression.js';
import { instantsOfWallTime, resolveWallTime, wallTimeAt } from './time-zone.js';

/** What decides when a scheduled action fires. Times are epoch ms. */
export interface FireSchedule {
  readonly expression: ScheduleExpression;
  /** IANA zone for at() and cron(); UTC when absent. */
  readonly timeZone?: string;
  /** The action also fires at its StartTime, then by its recurrence (AAS). */
  readonly startTime?: number;
  readonly endTime?: number;
  /** Where rate() counts from when there is no StartTime (the action's creation). */
  readonly anchor?: number;
}

/**
 * The first time strictly after `after` at which the action fires, or
 * undefined when it never fires again.
 *
 * Across DST changes cron follows EventBridge Scheduler: a wall time the
 * clocks skip (spring forward) does not fire that day, and a wall time they
 * repeat (fall back) fires once, at its first occurrence. rate() counts
 * elapsed time, so "rate(1 day)" drifts an hour on the wall clock across a
 * change. at() in a gap fires when the clocks reach it shifted by the gap.
 */
export function nextFireTime(schedule: FireSchedule, after: number): number | undefined {
  const zone = schedule.timeZone ?? 'UTC';
  const { expression: e, startTime, endTime } = schedule;
  let next: number | undefined;
  if (e.kind === 'at') {
    const t = resolveWallTime(e.wallTime, zone);
    next = t > after ? t : undefined;
  } else if (e.kind === 'rate') {
    const anchor = startTime ?? schedule.anchor;
    if (anchor !== undefined) {
      const from = Math.max(after, anchor - 1);
      const k = Math.floor((from - anchor) / e.everyMs) + 1;
      next = anchor + Math.max(startTime === undefined ? 1 : 0, k) * e.everyMs;
    }
  } else {
    const searchFrom = startTime !== undefined && startTime > after ? startTime : after;
    next = nextCronTime(e.cron, zone, searchFrom);
  }
  if (
    e.kind !== 'at' &&
    startTime !== undefined &&
    startTime > after &&
    (next === undefined || startTime <= next)
  )
    next = startTime;
  if (next !== undefined && startTime !== undefined && next < startTime) next = undefined;
  if (next !== undefined && endTime !== undefined && next > endTime) return undefined;
  return next;
}

/** The first instant strictly after `after` whose wall time in `zone` the cron selects. */
export function nextCronTime(cron: CronSpec, zone: string, after: number): number | undefined {
  const afterWall = wallTimeAt(after, zone);
  // Wall times this far before `after` cannot map past it: offsets never jump by more.
  const floorWall = afterWall - 3 * 3_600_000;
  const start = new Date(floorWall);
  const firstYear = Math.max(start.getUTCFullYear(), firstCronYear);
  for (let year = firstYear; year <= lastCronYear; year++) {
    if (!cron.years[year]) continue;
    const firstMonth = year === start.getUTCFullYear() ? start.getUTCMonth() + 1 : 1;
    for (let month = firstMonth; month <= 12; month++) {
      if (!cron.months[month]) continue;
      const sameMonth = year === start.getUTCFullYear() && month === start.getUTCMonth() + 1;
      const length = daysInMonth(year, month);
      for (let day = sameMonth ? start.getUTCDate() : 1; day <= length; day++) {
        if (!cronMatchesDay(cron, year, month, day)) continue;
        const t = firstOnDay(cron, zone, Date.UTC(year, month - 1, day), floorWall, after);
        if (t !== undefined) return t;
      }
    }
  }
  return undefined;
}

function firstOnDay(cron: CronSpec, zone: string, dayWall: number, floorWall: number, after: number) {
  for (let h = 0; h < 24; h++) {
    if (!cron.hours[h]) continue;
    for (let m = 0; m < 60; m++) {
      if (!cron.minutes[m]) continue;
      const wall = dayWall + h * 3_600_000 + m * 60_000;
      if (wall < floorWall) continue;
      // A skipped wall time has no instant; a repeated one fires at its first.
      const first = instantsOfWallTime(wall, zone)[0];
      if (first !== undefined && first > after) return first;
    }
  }
  return undefined;
}
