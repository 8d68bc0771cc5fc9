import type { MetricStatistic } from '../resources/fields.js';

/**
 * One sample of a metric, CloudWatch-style: a metric is named by namespace,
 * name and dimensions. `timestamp` (epoch ms) defaults to the scheduler's now
 * when the scaler receives it.
 */
export interface MetricDatapoint {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestamp?: number;
}

/** Which metric an alarm watches, and how it reduces a period's samples. */
export interface MetricQuery {
  readonly namespace: string;
  readonly metricName: string;
  /** Each must be present with this value on a datapoint; other dimensions are free. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: MetricStatistic;
}

/**
 * Whether a datapoint belongs to the metric: same namespace and name, and
 * every dimension the query names present with the same value. (A scaler
 * serves one service, so predefined metrics name no dimensions at all.)
 */
export function matchesMetric(query: Omit<MetricQuery, 'statistic'>, d: MetricDatapoint): boolean {
  if (query.namespace !== d.namespace || query.metricName !== d.metricName) return false;
  for (const [k, v] of Object.entries(query.dimensions)) if (d.dimensions?.[k] !== v) return false;
  return true;
}

/** The samples of one period, reduced as they arrive. */
export interface PeriodAggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
}

export function emptyAggregate(): PeriodAggregate {
  return { count: 0, sum: 0, min: Infinity, max: -Infinity };
}

export function addSample(agg: PeriodAggregate, value: number): void {
  agg.count++;
  agg.sum += value;
  if (value < agg.min) agg.min = value;
  if (value > agg.max) agg.max = value;
}

/** A period's statistic; undefined when the period has no samples (missing data). */
export function statisticOf(
  agg: PeriodAggregate | undefined,
  statistic: MetricStatistic,
): number | undefined {
  if (agg === undefined || agg.count === 0) return undefined;
  switch (statistic) {
    case 'Average':
      return agg.sum / agg.count;
    case 'Sum':
      return agg.sum;
    case 'Minimum':
      return agg.min;
    case 'Maximum':
      return agg.max;
    case 'SampleCount':
      return agg.count;
  }
}

/** Reduces values by Average, Minimum or Maximum (a step policy's MetricAggregationType). */
export function aggregate(
  values: readonly number[],
  by: 'Average' | 'Minimum' | 'Maximum',
): number | undefined {
  if (values.length === 0) return undefined;
  if (by === 'Minimum') return Math.min(...values);
  if (by === 'Maximum') return Math.max(...values);
  return values.reduce((a, b) => a + b, 0) / values.length;
}
