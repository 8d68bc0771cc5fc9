import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';
import { type CronSpec, parseCron } from './cron.js';

/**
 * A scheduled action's `Schedule`: `at(yyyy-mm-ddThh:mm:ss)` (once, wall
 * time in the action's time zone), `rate(value unit)` (a fixed interval of
 * elapsed time) or `cron(fields)` (wall time in the time zone).
 */
export type ScheduleExpression =
  | { readonly kind: 'at'; readonly text: string; readonly wallTime: number }
  | {
      readonly kind: 'rate';
      readonly text: string;
      readonly value: number;
      readonly unit: 'minute' | 'hour' | 'day';
      readonly everyMs: number;
    }
  | { readonly kind: 'cron'; readonly text: string; readonly cron: CronSpec };

const unitMs = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

export function parseSchedule(text: string): Either<string, ScheduleExpression> {
  const m = /^\s*(at|rate|cron)\((.*)\)\s*$/s.exec(text);
  if (!m) return left('must be at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)');
  const kind = m[1]!;
  const body = m[2]!.trim();
  if (kind === 'at') {
    const wallTime = parseAt(body);
    return wallTime === undefined
      ? left(`at(...) needs a date and time yyyy-mm-ddThh:mm:ss (got "${body}")`)
      : right({ kind: 'at', text: text.trim(), wallTime });
  }
  if (kind === 'rate') {
    const r = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/.exec(body);
    const value = r ? Number(r[1]) : 0;
    if (!r || value < 1)
      return left(`rate(...) needs a positive whole number and minute(s), hour(s) or day(s) (got "${body}")`);
    // "If the value is equal to 1, then the unit must be singular. If the value is greater than 1,
    // the unit must be plural. For example, rate(1 hours) and rate(5 hour) aren't valid"
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html; the same
    // rate(value unit) of https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html).
    const plural = r[2]!.endsWith('s');
    if (plural !== value > 1)
      return left(
        `rate(...) takes a singular unit for 1 and a plural one above 1, e.g. rate(1 hour), rate(5 hours) (got "${body}")`,
      );
    const unit = r[2]!.replace(/s$/, '') as keyof typeof unitMs;
    return right({ kind: 'rate', text: text.trim(), value, unit, everyMs: value * unitMs[unit] });
  }
  const cron = parseCron(body);
  if (isLeft(cron)) return left(`cron(...): ${cron.left}`);
  return right({ kind: 'cron', text: text.trim(), cron: cron.right });
}

/** `2024-03-31T02:30:00` → its wall time (as UTC ms), or undefined when it is no real date. */
function parseAt(body: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(t);
  const real =
    check.getUTCFullYear() === y &&
    check.getUTCMonth() === mo - 1 &&
    check.getUTCDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60;
  return real ? t : undefined;
}
