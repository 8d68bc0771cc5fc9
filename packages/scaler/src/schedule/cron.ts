import { type Either, left, right } from 'fp-ts/lib/Either.js';

/**
 * AAS cron (EventBridge's dialect): six fields, `Minutes Hours
 * Day-of-month Month Day-of-week Year`. Day-of-week runs 1–7 = SUN–SAT; one
 * of the two day fields must be `?`. Supported: `*`, `?`, lists, ranges,
 * `/` steps, month and weekday names, `L` and `W` in day-of-month
 * (`L`, `LW`, `15W`), `L` and `#` in day-of-week (`L`, `6L`, `2#1`).
 */
export interface CronSpec {
  readonly text: string;
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  readonly months: readonly boolean[];
  readonly years: readonly boolean[];
  readonly days: DaySpec;
}

export const firstCronYear = 1970;
export const lastCronYear = 2199;

type DaySpec =
  | { readonly field: 'day-of-month'; readonly match: DayOfMonth }
  | { readonly field: 'day-of-week'; readonly match: DayOfWeek };

interface DayOfMonth {
  readonly days: readonly boolean[];
  readonly lastDay: boolean;
  readonly lastWeekday: boolean;
  readonly nearestWeekday: readonly number[];
}

interface DayOfWeek {
  /** Index 1–7 = SUN–SAT. */
  readonly weekdays: readonly boolean[];
  /** `6L`: the last Friday of the month. */
  readonly lastOf: readonly number[];
  /** `3#2`: the second Tuesday. */
  readonly nth: readonly (readonly [weekday: number, n: number])[];
}

const monthNames = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

class CronError extends Error {}

export function parseCron(text: string): Either<string, CronSpec> {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 6)
    return left(
      `cron needs 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), got ${fields.length}`,
    );
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  try {
    const domAny = dom === '?';
    const dowAny = dow === '?';
    if (domAny === dowAny)
      throw new CronError(
        'one of Day-of-month and Day-of-week must be "?" and the other not (use "?" in the one you do not restrict)',
      );
    return right({
      text: fields.join(' '),
      minutes: parseField(min, 'Minutes', 0, 59),
      hours: parseField(hour, 'Hours', 0, 23),
      months: parseField(month, 'Month', 1, 12, monthNames, 1),
      years: parseField(year, 'Year', firstCronYear, lastCronYear),
      days: domAny
        ? { field: 'day-of-week', match: parseDayOfWeek(dow) }
        : { field: 'day-of-month', match: parseDayOfMonth(dom) },
    });
  } catch (e) {
    if (e instanceof CronError) return left(e.message);
    throw e;
  }
}

function parseField(
  text: string,
  name: string,
  lo: number,
  hi: number,
  names?: readonly string[],
  nameBase = 0,
): boolean[] {
  const set = new Array<boolean>(hi + 1).fill(false);
  for (const part of text.split(',')) {
    const [range, stepText] = splitStep(part, name);
    let from: number;
    let to: number;
    if (range === '*') {
      from = lo;
      to = hi;
    } else {
      const dash = range.indexOf('-', 1);
      from = value(dash < 0 ? range : range.slice(0, dash), name, lo, hi, names, nameBase);
      to =
        dash < 0
          ? stepText === undefined
            ? from
            : hi
          : value(range.slice(dash + 1), name, lo, hi, names, nameBase);
      if (to < from) throw new CronError(`${name}: range ${range} runs backwards`);
    }
    const step = stepText === undefined ? 1 : Number(stepText);
    for (let v = from; v <= to; v += step) set[v] = true;
  }
  return set;
}

function splitStep(part: string, name: string): [string, string | undefined] {
  const slash = part.indexOf('/');
  if (slash < 0) return [part, undefined];
  const step = part.slice(slash + 1);
  if (!/^\d+$/.test(step) || Number(step) < 1)
    throw new CronError(`${name}: step "${step}" must be a positive whole number`);
  return [part.slice(0, slash), step];
}

function value(
  text: string,
  name: string,
  lo: number,
  hi: number,
  names: readonly string[] | undefined,
  nameBase: number,
): number {
  const upper = text.toUpperCase();
  const named = names?.indexOf(upper) ?? -1;
  const v = named >= 0 ? named + nameBase : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(v) || v < lo || v > hi)
    throw new CronError(
      `${name}: "${text}" is not a value between ${lo} and ${hi}${names ? ` or a name` : ''}`,
    );
  return v;
}

function parseDayOfMonth(text: string): DayOfMonth {
  const nearestWeekday: number[] = [];
  let lastDay = false;
  let lastWeekday = false;
  const rest: string[] = [];
  for (const part of text.split(',')) {
    const upper = part.toUpperCase();
    if (upper === 'L') lastDay = true;
    else if (upper === 'LW') lastWeekday = true;
    else if (/^\d+W$/.test(upper))
      nearestWeekday.push(value(upper.slice(0, -1), 'Day-of-month', 1, 31, undefined, 0));
    else rest.push(part);
  }
  const days =
    rest.length > 0 ? parseField(rest.join(','), 'Day-of-month', 1, 31) : new Array<boolean>(32).fill(false);
  return { days, lastDay, lastWeekday, nearestWeekday };
}

function parseDayOfWeek(text: string): DayOfWeek {
  const lastOf: number[] = [];
  const nth: [number, number][] = [];
  const rest: string[] = [];
  for (const part of text.split(',')) {
    const upper = part.toUpperCase();
    if (upper === 'L') lastOf.push(7);
    else if (/^\w+L$/.test(upper) && upper !== 'L')
      lastOf.push(value(upper.slice(0, -1), 'Day-of-week', 1, 7, dayNames, 1));
    else if (upper.includes('#')) {
      const [d, n] = upper.split('#') as [string, string];
      const k = Number(n);
      if (!/^\d$/.test(n) || k < 1 || k > 5) throw new CronError(`Day-of-week: "#${n}" must be #1 to #5`);
      nth.push([value(d, 'Day-of-week', 1, 7, dayNames, 1), k]);
    } else rest.push(part);
  }
  const weekdays =
    rest.length > 0
      ? parseField(rest.join(','), 'Day-of-week', 1, 7, dayNames, 1)
      : new Array<boolean>(8).fill(false);
  return { weekdays, lastOf, nth };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1–7 = SUN–SAT. */
export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

/** Whether the cron's day fields select this calendar day. */
export function cronMatchesDay(spec: CronSpec, year: number, month: number, day: number): boolean {
  const length = daysInMonth(year, month);
  const weekday = weekdayOf(year, month, day);
  if (spec.days.field === 'day-of-month') {
    const m = spec.days.match;
    if (m.days[day]) return true;
    if (m.lastDay && day === length) return true;
    if (m.lastWeekday && day === nearestWeekdayTo(year, month, length)) return true;
    return m.nearestWeekday.some((d) => d <= length && day === nearestWeekdayTo(year, month, d));
  }
  const m = spec.days.match;
  if (m.weekdays[weekday]) return true;
  if (m.lastOf.includes(weekday) && day + 7 > length) return true;
  return m.nth.some(([w, n]) => w === weekday && Math.ceil(day / 7) === n);
}

/** `15W`: the weekday nearest the 15th, never leaving the month. */
function nearestWeekdayTo(year: number, month: number, day: number): number {
  const weekday = weekdayOf(year, month, day);
  const length = daysInMonth(year, month);
  if (weekday === 7) return day === 1 ? 3 : day - 1; // Saturday → Friday, or Monday the 3rd
  if (weekday === 1) return day === length ? day - 2 : day + 1; // Sunday → Monday, or Friday
  return day;
}
