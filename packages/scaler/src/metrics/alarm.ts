import type { AlarmState, ComparisonOperator, TreatMissingData } from '../resources/metric-alarm.js';
import {
  addSample,
  emptyAggregate,
  type MetricQuery,
  type PeriodAggregate,
  statisticOf,
} from './datapoint.js';

/** An alarm, resolved to what evaluation needs (times in ms). */
export interface AlarmSpec {
  readonly name: string;
  readonly metric: MetricQuery;
  readonly periodMs: number;
  readonly evaluationPeriods: number;
  /** M of "M out of N". */
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: ComparisonOperator;
  readonly treatMissingData: TreatMissingData;
}

export interface AlarmEvaluation {
  readonly state: AlarmState;
  /** Why, in CloudWatch's manner ("Threshold Crossed: 3 out of the last 3 datapoints …"). */
  readonly reason: string;
  /** The evaluated periods' statistics, oldest first; undefined where data is missing. */
  readonly datapoints: readonly (number | undefined)[];
}

const verb: Record<ComparisonOperator, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export function breaches(value: number, comparison: ComparisonOperator, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

/**
 * How many periods CloudWatch looks back: "a higher number of data points than specified by
 * Evaluation Periods … the evaluation range". The guide's example retrieves 5 for 3 evaluation
 * periods; the exact number is not documented, so Baton takes N + 2 for every N.
 */
export function evaluationRangePeriods(evaluationPeriods: number): number {
  return evaluationPeriods + 2;
}

/**
 * CloudWatch's evaluation over the evaluation range (oldest first), as the user guide's "How alarm
 * state is evaluated when data is missing" says and its two tables show
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-evaluating-missing-data):
 * - at least N real datapoints in the range: the N most recent real ones decide, whatever
 *   TreatMissingData says;
 * - none: `missing` → INSUFFICIENT_DATA, `ignore` → the state is kept, `breaching` → ALARM,
 *   `notBreaching` → OK;
 * - fewer than N: every real datapoint is evaluated, the rest of the N are missing periods filled
 *   per TreatMissingData (as few as possible). `breaching`/`notBreaching` count them as such. With
 *   `missing`/`ignore` they decide nothing: M breaching → ALARM; too few breaching even if all
 *   filled ones breached → OK; a non-breaching real datapoint → OK; otherwise (only breaching real
 *   datapoints, not M of them) `ignore` keeps the state and `missing` goes to ALARM when the oldest
 *   evaluated period holds a real datapoint ("X - - - -" in the guide) and to INSUFFICIENT_DATA when
 *   it is a missing one ("- - - - X").
 * `ALARM` needs DatapointsToAlarm (M) of the N evaluated periods breaching.
 */
export function evaluateAlarm(
  spec: AlarmSpec,
  range: readonly (number | undefined)[],
  previous: AlarmState,
): AlarmEvaluation {
  const m = spec.datapointsToAlarm;
  const n = spec.evaluationPeriods;
  const realAt: number[] = [];
  range.forEach((v, i) => {
    if (v !== undefined) realAt.push(i);
  });
  const isBreaching = (v: number) => breaches(v, spec.comparison, spec.threshold);
  const shownOf = (points: readonly (number | undefined)[]) =>
    `[${points.map((v) => (v === undefined ? '-' : round(v))).join(', ')}]`;
  const crossed = (points: readonly (number | undefined)[], breaching: number) => {
    const alarm = breaching >= m;
    const count = alarm ? breaching : points.length - breaching;
    return {
      state: (alarm ? 'ALARM' : 'OK') as AlarmState,
      reason: `Threshold Crossed: ${count} out of the last ${points.length} datapoints ${shownOf(points)} ${count === 1 ? 'was' : 'were'} ${alarm ? '' : 'not '}${verb[spec.comparison]} the threshold (${round(spec.threshold)}) (minimum ${m} datapoint${m === 1 ? '' : 's'} for ALARM).`,
      datapoints: points,
    };
  };
  if (realAt.length >= n) {
    const points = realAt.slice(-n).map((i) => range[i]!);
    return crossed(points, points.filter(isBreaching).length);
  }
  // The N evaluated periods: every real datapoint, and missing periods from the oldest evaluated on.
  const firstReal = realAt[0] ?? range.length;
  const start = Math.max(0, Math.min(firstReal, range.length - n));
  const points: (number | undefined)[] = [];
  let fill = n - realAt.length;
  for (let i = start; i < range.length && points.length < n; i++) {
    const v = range[i];
    if (v !== undefined) points.push(v);
    else if (fill > 0) {
      points.push(undefined);
      fill--;
    }
  }
  const missing = points.filter((v) => v === undefined).length;
  const breaching = points.filter((v) => v !== undefined && isBreaching(v)).length;
  const notBreaching = points.length - missing - breaching;
  if (spec.treatMissingData === 'breaching') return crossed(points, breaching + missing);
  if (spec.treatMissingData === 'notBreaching') return crossed(points, breaching);
  if (realAt.length > 0 && (breaching >= m || breaching + missing < m || notBreaching > 0))
    return crossed(points, breaching);
  if (spec.treatMissingData === 'ignore')
    return {
      state: previous,
      reason: `${missing} of the last ${points.length} datapoints ${shownOf(points)} are missing and could decide the alarm; state kept (missing data ignored).`,
      datapoints: points,
    };
  if (realAt.length > 0 && points[0] !== undefined)
    return {
      state: 'ALARM',
      reason: `Threshold Crossed: the oldest of the last ${points.length} datapoints ${shownOf(points)} ${verb[spec.comparison]} the threshold (${round(spec.threshold)}), none not, ${missing} missing (treated as missing).`,
      datapoints: points,
    };
  return {
    state: 'INSUFFICIENT_DATA',
    reason: `Insufficient Data: ${missing} of the last ${points.length} datapoints were unknown and could decide the alarm.`,
    datapoints: points,
  };
}

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * The samples of one alarm's metric, reduced per period. Periods are
 * aligned to multiples of the period since the epoch, as CloudWatch aligns
 * them; a period counts once it has ended.
 */
export class AlarmWindow {
  private readonly periods = new Map<number, PeriodAggregate>();
  private oldestKept = -Infinity;

  /** Replaceable by one that reads the same samples the same way (same metric, period, statistic). */
  constructor(public spec: AlarmSpec) {}

  add(value: number, timestamp: number): void {
    if (!Number.isFinite(value)) return;
    const index = Math.floor(timestamp / this.spec.periodMs);
    if (index < this.oldestKept) return;
    let agg = this.periods.get(index);
    if (agg === undefined) {
      agg = emptyAggregate();
      this.periods.set(index, agg);
    }
    addSample(agg, value);
  }

  /** The statistics of the periods of the evaluation range that ended by `now`, oldest first. */
  datapoints(now: number): (number | undefined)[] {
    const newest = Math.floor(now / this.spec.periodMs) - 1;
    const oldest = newest - evaluationRangePeriods(this.spec.evaluationPeriods) + 1;
    if (oldest > this.oldestKept) {
      for (const k of this.periods.keys()) if (k < oldest) this.periods.delete(k);
      this.oldestKept = oldest;
    }
    const out: (number | undefined)[] = [];
    for (let k = oldest; k <= newest; k++)
      out.push(statisticOf(this.periods.get(k), this.spec.metric.statistic));
    return out;
  }
}
