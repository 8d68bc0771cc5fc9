const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Keys in sorted order, maintained lazily: inserts and removals are O(1) and are merged into the
 * sorted array (O(n + a·log a)) only when a sorted read needs them or the backlog grows to the
 * size of the array, which keeps both writes and full lists cheap at 100k keys. A sorted array
 * with splice would cost O(n) per insert; sorting on every list would cost O(n·log n) per read.
 */
export class SortedKeys {
  private sorted: string[] = [];
  /** Inserted since the last merge, not in `sorted`. */
  private added = new Set<string>();
  /** Still in `sorted` but removed. */
  private tombstones = new Set<string>();

  add(key: string): void {
    if (this.tombstones.has(key)) this.tombstones.delete(key);
    else this.added.add(key);
    if (this.added.size > Math.max(1024, this.sorted.length)) this.merge();
  }

  remove(key: string): void {
    if (this.added.has(key)) this.added.delete(key);
    else this.tombstones.add(key);
    if (this.tombstones.size > Math.max(1024, this.sorted.length / 2)) this.merge();
  }

  /** All keys, sorted. The returned array must not be mutated. */
  all(): readonly string[] {
    this.merge();
    return this.sorted;
  }

  /** Keys starting with `prefix`, sorted. */
  withPrefix(prefix: string): string[] {
    const keys = this.all();
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < keys.length && (keys[i] as string).startsWith(prefix); i++)
      out.push(keys[i] as string);
    return out;
  }

  private merge(): void {
    if (this.added.size === 0 && this.tombstones.size === 0) return;
    const fresh = [...this.added].sort(byCodeUnit);
    const old = this.sorted;
    const dead = this.tombstones;
    const out: string[] = new Array(old.length - dead.size + fresh.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < old.length || j < fresh.length) {
      const a = old[i];
      if (a !== undefined && dead.has(a)) {
        i++;
        continue;
      }
      const b = fresh[j];
      if (b === undefined || (a !== undefined && a < b)) {
        out[n++] = a as string;
        i++;
      } else {
        out[n++] = b;
        j++;
      }
    }
    out.length = n;
    this.sorted = out;
    this.added = new Set();
    this.tombstones = new Set();
  }
}

export { byCodeUnit };
