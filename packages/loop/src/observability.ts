/** One structured log line: what happened, to what, and how it ended. */
export interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly [field: string]: unknown;
}

export type Logger = (record: LogRecord) => void;

const levels = { debug: 10, info: 20, warn: 30, error: 40 } as const;

/** JSON lines on stderr at `minimum` level and above. */
export function jsonLogger(
  minimum: LogRecord['level'] = 'info',
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Logger {
  return (record) => {
    if (levels[record.level] < levels[minimum]) return;
    write(JSON.stringify({ time: new Date().toISOString(), ...record }));
  };
}

export const silentLogger: Logger = () => {};

/** Latency buckets in seconds (controller-runtime's reconcile_time_seconds buckets). */
export const durationBuckets: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60,
];

/** One histogram series: how many observations fell at or below each bucket's bound. */
export interface HistogramSnapshot {
  readonly buckets: readonly { readonly le: number; readonly count: number }[];
  readonly count: number;
  readonly sum: number;
}

interface HistogramSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly bounds: readonly number[];
  readonly counts: number[];
  count: number;
  sum: number;
}

/**
 * Monotonic counters and histograms a user can scrape (`metrics.text()` is Prometheus' exposition
 * format; a histogram's buckets appear in increasing order of `le`, as the format requires).
 */
export class Counters {
  private readonly values = new Map<string, number>();
  private readonly histograms = new Map<string, HistogramSeries>();

  inc(name: string, labels: Readonly<Record<string, string>> = {}, by = 1): void {
    const key = seriesKey(name, labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(name: string, labels: Readonly<Record<string, string>> = {}): number {
    return this.values.get(seriesKey(name, labels)) ?? 0;
  }

  /** Records one observation (e.g. a duration in seconds) in the histogram `name`. */
  observe(
    name: string,
    labels: Readonly<Record<string, string>>,
    value: number,
    bounds: readonly number[] = durationBuckets,
  ): void {
    const key = seriesKey(name, labels);
    let series = this.histograms.get(key);
    if (!series) {
      series = { name, labels, bounds, counts: bounds.map(() => 0), count: 0, sum: 0 };
      this.histograms.set(key, series);
    }
    for (let i = 0; i < series.bounds.length; i++) if (value <= series.bounds[i]!) series.counts[i]!++;
    series.count++;
    series.sum += value;
  }

  /** A histogram series' cumulative buckets, count and sum (undefined if nothing was observed). */
  histogram(name: string, labels: Readonly<Record<string, string>> = {}): HistogramSnapshot | undefined {
    const s = this.histograms.get(seriesKey(name, labels));
    if (!s) return undefined;
    return {
      buckets: s.bounds.map((le, i) => ({ le, count: s.counts[i]! })),
      count: s.count,
      sum: s.sum,
    };
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.values].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  text(): string {
    const lines = [...this.values].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`);
    for (const [, s] of [...this.histograms].sort(([a], [b]) => (a < b ? -1 : 1))) {
      s.bounds.forEach((le, i) => {
        lines.push(`${seriesKey(`${s.name}_bucket`, { ...s.labels, le: String(le) })} ${s.counts[i]}`);
      });
      lines.push(`${seriesKey(`${s.name}_bucket`, { ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${seriesKey(`${s.name}_sum`, s.labels)} ${s.sum}`);
      lines.push(`${seriesKey(`${s.name}_count`, s.labels)} ${s.count}`);
    }
    return lines.join('\n');
  }
}

function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/["\\\n]/g, '_')}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}
