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
 * M out of N over the last N periods. Missing periods count as breaching or
 * not for `breaching` / `notBreaching`. Otherwise:
 * - at least M breaching → ALARM;
 * - too few breaching for M even if every missing period breached → OK;
 * - else the missing periods decide, and nothing can: INSUFFICIENT_DATA for
 *   `missing` (so a target tracking policy never acts on partial data, as
 *   ECS documents), the state unchanged for `ignore`.
 */
export function evaluateAlarm(
  spec: AlarmSpec,
  datapoints: readonly (number | undefined)[],
  previous: AlarmState,
): AlarmEvaluation {
  const m = spec.datapointsToAlarm;
  const n = datapoints.length;
  let breaching = 0;
  let missing = 0;
  for (const v of datapoints) {
    if (v === undefined) {
      if (spec.treatMissingData === 'breaching') breaching++;
      else if (spec.treatMissingData !== 'notBreaching') missing++;
    } else if (breaches(v, spec.comparison, spec.threshold)) breaching++;
  }
  const ok = n - breaching - missing;
  const shown = `[${datapoints.map((v) => (v === undefined ? '-' : round(v))).join(', ')}]`;
  const crossed = (state: AlarmState, count: number, not: boolean) => ({
    state,
    reason: `Threshold Crossed: ${count} out of the last ${n} datapoints ${shown} ${count === 1 ? 'was' : 'were'} ${not ? 'not ' : ''}${verb[spec.comparison]} the threshold (${round(spec.threshold)}) (minimum ${m} datapoint${m === 1 ? '' : 's'} for ALARM).`,
    datapoints,
  });
  if (breaching >= m) return crossed('ALARM', breaching, false);
  if (breaching + missing < m) return crossed('OK', ok, true);
  if (spec.treatMissingData === 'ignore')
    return {
      state: previous,
      reason: `${missing} of the last ${n} datapoints are missing and could decide the alarm; state kept (missing data ignored).`,
      datapoints,
    };
  return {
    state: 'INSUFFICIENT_DATA',
    reason: `Insufficient Data: ${missing} of the last ${n} datapoints were unknown and could decide the alarm.`,
    datapoints,
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

  /** The statistics of the last N periods that ended by `now`, oldest first. */
  datapoints(now: number): (number | undefined)[] {
    const newest = Math.floor(now / this.spec.periodMs) - 1;
    const oldest = newest - this.spec.evaluationPeriods + 1;
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
