import { describe, expect, it } from 'vitest';
import { type AlarmSpec, AlarmWindow, evaluateAlarm, type TreatMissingData } from '../src/index.js';

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
  // Columns: datapoints, M, then the state for missing / ignore / breaching / notBreaching,
  // starting from OK ("keep" = stays OK).
  it.each<[string, number, [string, string, string, string]]>([
    ['XXX', 3, ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    ['0XX', 3, ['OK', 'OK', 'OK', 'OK']],
    ['0XX', 2, ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    ['---', 3, ['INSUFFICIENT_DATA', 'OK', 'ALARM', 'OK']],
    ['--X', 3, ['INSUFFICIENT_DATA', 'OK', 'ALARM', 'OK']],
    ['0-X', 3, ['OK', 'OK', 'OK', 'OK']],
    ['0-X', 2, ['INSUFFICIENT_DATA', 'OK', 'ALARM', 'OK']],
    ['X-X', 2, ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    ['00-', 3, ['OK', 'OK', 'OK', 'OK']],
    ['0--', 1, ['INSUFFICIENT_DATA', 'OK', 'ALARM', 'OK']],
  ])('%s with M=%d', (data, m, expected) => {
    const treatments: TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];
    const states = treatments.map(
      (t) => evaluateAlarm(spec({ datapointsToAlarm: m, treatMissingData: t }), points(data), 'OK').state,
    );
    expect(states).toEqual(expected);
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
    expect(w.datapoints(120_000)).toEqual([undefined, 30]);
    expect(w.datapoints(179_999)).toEqual([undefined, 30]);
    expect(w.datapoints(180_000)).toEqual([30, 20]);
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
    expect(w.datapoints(60_000)).toEqual([expected]);
  });

  it('drops samples for periods it no longer evaluates', () => {
    const w = new AlarmWindow(spec({ evaluationPeriods: 1 }));
    w.add(10, 0);
    expect(w.datapoints(120_000)).toEqual([undefined]);
    w.add(99, 0); // late, for a period already out of the window
    expect(w.datapoints(60_000 * 3)).toEqual([undefined]);
  });
});
