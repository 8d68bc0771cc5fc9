import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  type FireSchedule,
  nextFireTime,
  parseCron,
  parseSchedule,
  resolveWallTime,
  wallTimeAt,
} from '../src/index.js';

const iso = (t: number | undefined) =>
  t === undefined ? undefined : new Date(t).toISOString().replace('.000', '');
const at = (s: string) => Date.parse(s);

function schedule(expression: string, over: Partial<FireSchedule> = {}): FireSchedule {
  const parsed = parseSchedule(expression);
  if (isLeft(parsed)) throw new Error(parsed.left);
  return { expression: parsed.right, ...over };
}

/** The next `n` fire times after `from`. */
function fires(s: FireSchedule, from: string, n: number): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    const next = nextFireTime(s, t);
    out.push(iso(next));
    if (next === undefined) break;
    t = next;
  }
  return out;
}

describe('time zones', () => {
  it('reads wall time and resolves it back, across a spring-forward gap', () => {
    expect(iso(wallTimeAt(at('2024-03-31T01:30:00Z'), 'Europe/Berlin'))).toBe('2024-03-31T03:30:00Z');
    expect(iso(resolveWallTime(at('2024-03-31T02:30:00Z'), 'Europe/Berlin'))).toBe('2024-03-31T01:30:00Z');
    expect(iso(resolveWallTime(at('2024-10-27T02:30:00Z'), 'Europe/Berlin'))).toBe('2024-10-27T00:30:00Z');
  });
});

describe('cron in a time zone', () => {
  it('keeps 08:00 local across the spring-forward change (Europe/Berlin)', () => {
    expect(
      fires(schedule('cron(0 8 * * ? *)', { timeZone: 'Europe/Berlin' }), '2024-03-29T12:00:00Z', 3),
    ).toEqual(['2024-03-30T07:00:00Z', '2024-03-31T06:00:00Z', '2024-04-01T06:00:00Z']);
  });

  it('skips a wall time the clocks jump over, and fires a repeated one once', () => {
    const s = schedule('cron(30 2 * * ? *)', { timeZone: 'Europe/Berlin' });
    expect(fires(s, '2024-03-30T00:00:00Z', 2)).toEqual(['2024-03-30T01:30:00Z', '2024-04-01T00:30:00Z']);
    expect(fires(s, '2024-10-26T00:00:00Z', 3)).toEqual([
      '2024-10-26T00:30:00Z',
      '2024-10-27T00:30:00Z',
      '2024-10-28T01:30:00Z',
    ]);
  });

  it('follows weekdays and the fall-back change in New York', () => {
    const s = schedule('cron(0 9 ? * MON-FRI *)', { timeZone: 'America/New_York' });
    expect(fires(s, '2024-03-08T00:00:00Z', 2)).toEqual(['2024-03-08T14:00:00Z', '2024-03-11T13:00:00Z']);
    expect(fires(s, '2024-11-01T00:00:00Z', 2)).toEqual(['2024-11-01T13:00:00Z', '2024-11-04T14:00:00Z']);
  });

  it.each<[string, string, string]>([
    ['cron(0 0 L * ? *)', '2024-02-01T00:00:00Z', '2024-02-29T00:00:00Z'],
    ['cron(0 0 ? * 6L *)', '2024-02-01T00:00:00Z', '2024-02-23T00:00:00Z'],
    ['cron(0 0 ? * L *)', '2024-02-01T00:00:00Z', '2024-02-24T00:00:00Z'],
    ['cron(0 0 ? * 2#1 *)', '2024-03-05T00:00:00Z', '2024-04-01T00:00:00Z'],
    ['cron(0 0 ? * MON#3 *)', '2024-03-01T00:00:00Z', '2024-03-18T00:00:00Z'],
    ['cron(0 0 15W * ? *)', '2024-06-01T00:00:00Z', '2024-06-14T00:00:00Z'],
    ['cron(0 0 1W * ? *)', '2024-05-31T00:00:00Z', '2024-06-03T00:00:00Z'],
    ['cron(0 0 LW * ? *)', '2024-08-01T00:00:00Z', '2024-08-30T00:00:00Z'],
    ['cron(0/15 * * * ? *)', '2024-01-01T00:07:00Z', '2024-01-01T00:15:00Z'],
    ['cron(5/20 10-12 * * ? *)', '2024-01-01T10:46:00Z', '2024-01-01T11:05:00Z'],
    ['cron(0 12 1 JAN,JUL ? *)', '2024-02-01T00:00:00Z', '2024-07-01T12:00:00Z'],
    ['cron(0 0 1 1 ? 2030)', '2024-02-01T00:00:00Z', '2030-01-01T00:00:00Z'],
  ])('%s after %s → %s', (expr, from, expected) => {
    expect(iso(nextFireTime(schedule(expr), at(from)))).toBe(expected);
  });

  it('ends when the years run out', () => {
    expect(fires(schedule('cron(0 0 1 1 ? 2030)'), '2029-06-01T00:00:00Z', 2)).toEqual([
      '2030-01-01T00:00:00Z',
      undefined,
    ]);
    expect(nextFireTime(schedule('cron(0 0 30 2 ? *)'), at('2024-01-01T00:00:00Z'))).toBeUndefined();
  });

  it.each<[string, string]>([
    ['0 8 * *', 'cron needs 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), got 4'],
    ['60 8 * * ? *', 'Minutes: "60" is not a value between 0 and 59'],
    ['0 8 * FOO ? *', 'Month: "FOO" is not a value between 1 and 12 or a name'],
    ['0 20-8 * * ? *', 'Hours: range 20-8 runs backwards'],
    ['0/0 8 * * ? *', 'Minutes: step "0" must be a positive whole number'],
    ['0 8 ? * 2#6 *', 'Day-of-week: "#6" must be #1 to #5'],
    [
      '0 8 ? * ? *',
      'one of Day-of-month and Day-of-week must be "?" and the other not (use "?" in the one you do not restrict)',
    ],
  ])('rejects cron(%s)', (expr, message) => {
    const parsed = parseCron(expr);
    expect(isLeft(parsed) && parsed.left).toBe(message);
  });
});

describe('rate and at', () => {
  it('rate counts elapsed time from the start time, which fires too', () => {
    const s = schedule('rate(1 day)', { startTime: at('2024-03-30T12:00:00Z'), timeZone: 'Europe/Berlin' });
    expect(fires(s, '2024-03-29T00:00:00Z', 3)).toEqual([
      '2024-03-30T12:00:00Z',
      '2024-03-31T12:00:00Z',
      '2024-04-01T12:00:00Z',
    ]);
  });

  it('rate without a start time counts from the anchor (creation), one interval later', () => {
    const s = schedule('rate(5 minutes)', { anchor: at('2024-01-01T00:00:00Z') });
    expect(fires(s, '2024-01-01T00:00:00Z', 2)).toEqual(['2024-01-01T00:05:00Z', '2024-01-01T00:10:00Z']);
    expect(iso(nextFireTime(s, at('2024-01-01T00:07:30Z')))).toBe('2024-01-01T00:10:00Z');
  });

  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html:
  // "rate(1 hours) and rate(5 hour) aren't valid".
  it('the unit must agree with the value: rate(1 hours) and rate(5 hour) are refused', () => {
    expect(isRight(parseSchedule('rate(1 hours)'))).toBe(false);
    expect(isRight(parseSchedule('rate(5 hour)'))).toBe(false);
    expect(isRight(parseSchedule('rate(1 minute)'))).toBe(true);
    expect(isRight(parseSchedule('rate(5 days)'))).toBe(true);
  });

  it('accepts singular and plural units', () => {
    expect(isRight(parseSchedule('rate(1 hour)'))).toBe(true);
    expect(isRight(parseSchedule('rate(2 hours)'))).toBe(true);
  });

  it('at fires once, in its time zone; a time in a DST gap fires when the clocks reach it', () => {
    const s = schedule('at(2024-03-31T02:30:00)', { timeZone: 'Europe/Berlin' });
    expect(fires(s, '2024-03-30T00:00:00Z', 2)).toEqual(['2024-03-31T01:30:00Z', undefined]);
    expect(iso(nextFireTime(schedule('at(2024-06-01T08:00:00)'), at('2024-01-01T00:00:00Z')))).toBe(
      '2024-06-01T08:00:00Z',
    );
  });

  it('honours the end time, and fires a cron at its start time first', () => {
    const s = schedule('cron(0 * * * ? *)', {
      startTime: at('2024-01-01T00:20:00Z'),
      endTime: at('2024-01-01T02:00:00Z'),
    });
    expect(fires(s, '2024-01-01T00:00:00Z', 5)).toEqual([
      '2024-01-01T00:20:00Z',
      '2024-01-01T01:00:00Z',
      '2024-01-01T02:00:00Z',
      undefined,
    ]);
  });
});
