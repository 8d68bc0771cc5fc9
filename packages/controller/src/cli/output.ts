import type { OutputFormat } from './client-args.js';

/** A table column: its heading and how a row shows in it. */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string | number | undefined;
  /** Only with `-o wide`. */
  readonly wide?: boolean;
}

/** Aligned columns, two spaces apart, headings in capitals (kubectl's look). */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[], wide: boolean): string[] {
  const shown = columns.filter((c) => wide || !c.wide);
  const cells = rows.map((r) => shown.map((c) => String(c.value(r) ?? '')));
  const widths = shown.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(shown.map((c) => c.header)), ...cells.map(line)];
}

/** JSON or YAML of `value` as lines; YAML's library loads only when asked for. */
export async function structured(value: unknown, format: 'json' | 'yaml'): Promise<string> {
  if (format === 'json') return JSON.stringify(value, null, 2);
  const { stringify } = await import('yaml');
  return stringify(value).trimEnd();
}

/** Prints rows as a table, or the ECS objects as JSON/YAML. */
export async function print<T>(
  out: (line: string) => void,
  format: OutputFormat,
  rows: readonly T[],
  columns: readonly Column<T>[],
  asObject: unknown,
): Promise<void> {
  if (format === 'json' || format === 'yaml') {
    out(await structured(asObject, format));
    return;
  }
  if (rows.length === 0) {
    out('No resources found.');
    return;
  }
  for (const line of table(rows, columns, format === 'wide')) out(line);
}

/** How long ago an ECS timestamp (epoch seconds) was: 42s, 5m, 3h, 2d. */
export function age(epochSeconds: number | undefined, nowMs: number = Date.now()): string {
  if (epochSeconds === undefined) return '';
  const s = Math.max(0, Math.floor(nowMs / 1000 - epochSeconds));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** An ECS timestamp as a local ISO time (seconds precision). */
export function time(epochSeconds: number | undefined): string {
  if (epochSeconds === undefined) return '';
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}
