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

/** Monotonic counters a user can scrape (`metrics.text()` is Prometheus' exposition format). */
export class Counters {
  private readonly values = new Map<string, number>();

  inc(name: string, labels: Readonly<Record<string, string>> = {}, by = 1): void {
    const key = seriesKey(name, labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(name: string, labels: Readonly<Record<string, string>> = {}): number {
    return this.values.get(seriesKey(name, labels)) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.values].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  text(): string {
    return [...this.values]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k} ${v}`)
      .join('\n');
  }
}

function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/["\\\n]/g, '_')}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}
