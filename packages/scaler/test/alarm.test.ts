import { describe, expect, it } from 'vitest';
import {
  type AlarmSpec,
  AlarmWindow,
  evaluateAlarm,
  evaluationRangePeriods,
  type TreatMissingData,
} from '../src/index.js';

const spec = (over: Partial<AlarmSpec> = {}): AlarmSpec => ({
  name: 'a',
  metric: { namespace: 'N', metricName: 'M', dimensions: {}, statistic: 'Average' },
  periodMs: 60_000,
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  threshold: 50,
  comparison: 'GreaterThanThreshold',
  treatMissingData: 'missing',
  ...over,
});

/** "X" breaching (80), "0" not (10), "-" missing, oldest first. */
const points = (s: string) => [...s].map((c) => (c === 'X' ? 80 : c === '0' ? 10 : undefined));

describe('M out of N with missing data', () => {
  // The CloudWatch user guide's two tables, row for row: 5 datapoints retrieved (the evaluation range)
  // for an alarm of 3 evaluation periods, "0" not breaching, "X" breaching, "-" missing, oldest first;
  // the state for missing / ignore / breaching / notBreaching ("keep" = the current state, here
  // INSUFFICIENT_DATA as a new alarm's).
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-evaluating-missing-data
  const table = (data: string, m: number) => {
    const treatments: TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];
    return treatments.map((t) => {
      const e = evaluateAlarm(
        spec({ datapointsToAlarm: m, treatMissingData: t }),
        points(data),
        'INSUFFICIENT_DATA',
      );
      return t === 'ignore' && e.reason.includes('state kept') ? 'keep' : e.state;
    });
  };
  it.each<[string, [string, string, string, string]]>([
    ['0-X-X', ['OK', 'OK', 'OK', 'OK']],
    ['0----', ['OK', 'OK', 'OK', 'OK']],
    ['-----', ['INSUFFICIENT_DATA', 'keep', 'ALARM', 'OK']],
    ['0XX-X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    ['----X', ['INSUFFICIENT_DATA', 'keep', 'ALARM', 'OK']],
    ['X----', ['ALARM', 'keep', 'ALARM', 'OK']],
  ])('3 out of 3: %s', (data, expected) => {
    expect(table(data, 3)).toEqual(expected);
  });
  it.each<[string, [string, string, string, string]]>([
    ['0-X-X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    ['00X0X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    ['0-X--', ['OK', 'OK', 'ALARM', 'OK']],
    ['----0', ['OK', 'OK', 'ALARM', 'OK']],
    ['----X', ['INSUFFICIENT_DATA', 'keep', 'ALARM', 'OK']],
  ])('2 out of 3: %s', (data, expected) => {
    expect(table(data, 2)).toEqual(expected);
  });

  it('with enough real datapoints the most recent N of them are evaluated, looking past missing periods', () => {
    const e = evaluateAlarm(spec(), points('0XX-X'), 'OK');
    expect(e.datapoints).toEqual([80, 80, 80]);
    // "0 - - - -" with missing treated as breaching: OK now, ALARM once the 0 leaves the range.
    expect(evaluateAlarm(spec({ treatMissingData: 'breaching' }), points('0----'), 'OK').state).toBe('OK');
    expect(evaluateAlarm(spec({ treatMissingData: 'breaching' }), points('-----'), 'OK').state).toBe('ALARM');
  });

  it('the range is N + 2 periods (the guide retrieves 5 for 3)', () => {
    expect(evaluationRangePeriods(3)).toBe(5);
  });

  it('ignore keeps ALARM through missing data that could decide it', () => {
    expect(evaluateAlarm(spec({ treatMissingData: 'ignore' }), points('X--'), 'ALARM').state).toBe('ALARM');
    expect(evaluateAlarm(spec({ treatMissingData: 'ignore' }), points('---'), 'ALARM').state).toBe('ALARM');
    expect(evaluateAlarm(spec({ treatMissingData: 'ignore' }), points('0--'), 'ALARM').state).toBe('OK');
  });

  it('says why, in CloudWatch manner', () => {
    expect(evaluateAlarm(spec(), [80, 90.5, 70], 'OK').reason).toBe(
      'Threshold Crossed: 3 out of the last 3 datapoints [80, 90.5, 70] were greater than the threshold (50) (minimum 3 datapoints for ALARM).',
    );
    expect(evaluateAlarm(spec(), [undefined, undefined, undefined], 'OK').reason).toBe(
      'Insufficient Data: 3 of the last 3 datapoints were unknown and could decide the alarm.',
    );
  });

  it.each<[AlarmSpec['comparison'], number, boolean]>([
    ['GreaterThanOrEqualToThreshold', 50, true],
    ['GreaterThanThreshold', 50, false],
    ['LessThanThreshold', 50, false],
    ['LessThanOrEqualToThreshold', 50, true],
    ['LessThanThreshold', 49, true],
  ])('%s at %d breaches: %s', (comparison, value, expected) => {
    const state = evaluateAlarm(
      spec({ comparison, evaluationPeriods: 1, datapointsToAlarm: 1 }),
      [value],
      'OK',
    ).state;
    expect(state === 'ALARM').toBe(expected);
  });
});

describe('alarm window', () => {
  it('reduces samples per epoch-aligned period and counts a period once it has ended', () => {
    const w = new AlarmWindow(
      spec({ evaluationPeriods: 2, metric: { ...spec().metric, statistic: 'Maximum' } }),
    );
    w.add(10, 60_000);
    w.add(30, 119_999);
    w.add(20, 120_000);
    // The evaluation range: 2 + 2 periods.
    expect(w.datapoints(120_000)).toEqual([undefined, undefined, undefined, 30]);
    expect(w.datapoints(179_999)).toEqual([undefined, undefined, undefined, 30]);
    expect(w.datapoints(180_000)).toEqual([undefined, undefined, 30, 20]);
  });

  it.each<[AlarmSpec['metric']['statistic'], number]>([
    ['Average', 20],
    ['Sum', 60],
    ['Minimum', 10],
    ['Maximum', 30],
    ['SampleCount', 3],
  ])('%s of 10, 20, 30 is %d', (statistic, expected) => {
    const w = new AlarmWindow(spec({ evaluationPeriods: 1, metric: { ...spec().metric, statistic } }));
    for (const v of [10, 20, 30]) w.add(v, 1000);
    expect(w.datapoints(60_000).at(-1)).toEqual(expected);
  });

  // A sparse metric (a request count that stops when traffic stops): CloudWatch "may repeatedly
  // re-evaluate the last set of data points for a period of time after the metric has stopped
  // flowing" (user guide, alarms-evaluating-missing-data), then the treatment of missing data decides.
  it('a sparse metric after traffic stops: missing re-evaluates the last datapoints, then INSUFFICIENT_DATA; notBreaching goes OK', () => {
    const sum = { ...spec().metric, statistic: 'Sum' as const };
    const states = (treatMissingData: TreatMissingData) => {
      const w = new AlarmWindow(spec({ metric: sum, threshold: 100, treatMissingData }));
      for (const minute of [0, 1, 2]) for (let i = 0; i < 3; i++) w.add(50, minute * 60_000 + i * 1000);
      let state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' = 'INSUFFICIENT_DATA';
      const out: string[] = [];
      for (const minute of [3, 4, 5, 6, 7, 8]) {
        const e = evaluateAlarm(w.spec, w.datapoints(minute * 60_000), state);
        state = e.state;
        out.push(e.state);
      }
      return out;
    };
    // Minute 3: X X X; 4, 5: three real datapoints still in the 5-period range; 6: "X X - - -";
    // 7: "X - - - -" (ALARM, as the guide's sixth row); 8: nothing left → INSUFFICIENT_DATA.
    expect(states('missing')).toEqual(['ALARM', 'ALARM', 'ALARM', 'ALARM', 'ALARM', 'INSUFFICIENT_DATA']);
    expect(states('ignore')).toEqual(['ALARM', 'ALARM', 'ALARM', 'ALARM', 'ALARM', 'ALARM']);
    expect(states('notBreaching')).toEqual(['ALARM', 'ALARM', 'ALARM', 'OK', 'OK', 'OK']);
    expect(states('breaching')).toEqual(['ALARM', 'ALARM', 'ALARM', 'ALARM', 'ALARM', 'ALARM']);
  });

  it('drops samples for periods it no longer evaluates', () => {
    const w = new AlarmWindow(spec({ evaluationPeriods: 1 }));
    w.add(10, 0);
    expect(w.datapoints(240_000)).toEqual([undefined, undefined, undefined]);
    w.add(99, 0); // late, for a period already out of the range
    expect(w.datapoints(60_000 * 4)).toEqual([undefined, undefined, undefined]);
  });
});
