import type { Entry } from '../entry.js';
import type { Filter } from '../filter.js';
import type { AnyKind } from '../kinds.js';
import { byCodeUnit, SortedKeys } from './sorted-keys.js';

/** An object's values for each of its kind's indexes, in `Collection.indexNames` order. */
export type IndexValues = readonly (readonly string[])[];

const sameValues = (a: readonly string[], b: readonly string[]): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

interface Bucket {
  readonly keys: Set<string>;
  /** Last version at which an object entered, left or changed within this bucket. */
  changed: number;
}

/**
 * One kind's objects: a mutable Map of immutable entries plus maintained indexes. Writes touch
 * O(1 + index values) structures instead of copying the collection (an immer produce over a
 * 100k-entry record copies all 100k slots per write).
 */
export class Collection {
  readonly entries = new Map<string, Entry<unknown>>();
  readonly indexNames: readonly string[];
  private readonly buckets: Map<string, Bucket>[];
  private readonly sorted = new SortedKeys();
  /** Version of the last change to any object of this kind. */
  lastChanged = 0;

  constructor(
    readonly name: string,
    readonly def: AnyKind,
  ) {
    this.indexNames = Object.keys(def.indexes ?? {});
    this.buckets = this.indexNames.map(() => new Map());
  }

  /** Calls the kind's index functions; may throw (user code), so call it before mutating. */
  indexValues(object: unknown): IndexValues {
    const fns = this.def.indexes ?? {};
    return this.indexNames.map((n) => {
      const values = (fns[n] as (o: unknown) => readonly string[])(object);
      if (!Array.isArray(values))
        throw new TypeError(`${this.name} index "${n}" must return an array of strings`);
      return values;
    });
  }

  indexPosition(index: string): number {
    return this.indexNames.indexOf(index);
  }

  get(key: string): Entry<unknown> | undefined {
    return this.entries.get(key);
  }

  get size(): number {
    return this.entries.size;
  }

  put(entry: Entry<unknown>, oldIndex: IndexValues | undefined, newIndex: IndexValues): void {
    if (!this.entries.has(entry.key)) this.sorted.add(entry.key);
    this.entries.set(entry.key, entry);
    for (let i = 0; i < this.buckets.length; i++) {
      const old = oldIndex?.[i] ?? [];
      const next = newIndex[i] ?? [];
      if (sameValues(old, next)) {
        // The common status update: membership unchanged, only the bucket's change version moves.
        for (const v of next) this.touch(i, v, entry.version);
        continue;
      }
      for (const v of old) if (!next.includes(v)) this.leave(i, v, entry.key, entry.version);
      for (const v of next) this.enter(i, v, entry.key, entry.version);
    }
    this.lastChanged = entry.version;
  }

  remove(key: string, oldIndex: IndexValues, version: number): void {
    this.entries.delete(key);
    this.sorted.remove(key);
    for (let i = 0; i < this.buckets.length; i++) {
      for (const v of oldIndex[i] ?? []) this.leave(i, v, key, version);
    }
    this.lastChanged = version;
  }

  /** Matching entries sorted by key. */
  list(f: Filter): Entry<unknown>[] {
    if (f.key !== undefined) {
      const e = this.entries.get(f.key);
      return e && this.matchesRest(e, f) ? [e] : [];
    }
    if (f.index !== undefined) {
      const bucket = this.buckets[this.indexPosition(f.index)]?.get(f.value as string);
      if (!bucket) return [];
      const keys = [...bucket.keys];
      if (f.prefix !== undefined) {
        const p = f.prefix;
        return keys
          .filter((k) => k.startsWith(p))
          .sort(byCodeUnit)
          .map((k) => this.entries.get(k) as Entry<unknown>);
      }
      return keys.sort(byCodeUnit).map((k) => this.entries.get(k) as Entry<unknown>);
    }
    const keys = f.prefix !== undefined ? this.sorted.withPrefix(f.prefix) : this.sorted.all();
    const out: Entry<unknown>[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = this.entries.get(keys[i] as string) as Entry<unknown>;
    return out;
  }

  /**
   * The version of a change after `since` to the objects a filter selects, or undefined if there
   * was none. Exact for index filters whose bucket still exists; otherwise answers with the
   * kind's last change, which may report a conflict that was not one (never the reverse).
   */
  changedSince(f: Filter, since: number): number | undefined {
    if (f.index !== undefined) {
      const bucket = this.buckets[this.indexPosition(f.index)]?.get(f.value as string);
      if (bucket) return bucket.changed > since ? bucket.changed : undefined;
    }
    return this.lastChanged > since ? this.lastChanged : undefined;
  }

  private matchesRest(e: Entry<unknown>, f: Filter): boolean {
    if (f.prefix !== undefined && !e.key.startsWith(f.prefix)) return false;
    if (f.index !== undefined) {
      const fn = this.def.indexes?.[f.index];
      if (!fn?.(e.object).includes(f.value as string)) return false;
    }
    return true;
  }

  private enter(i: number, value: string, key: string, version: number): void {
    const map = this.buckets[i] as Map<string, Bucket>;
    let bucket = map.get(value);
    if (!bucket) {
      bucket = { keys: new Set(), changed: version };
      map.set(value, bucket);
    }
    bucket.keys.add(key);
    bucket.changed = version;
  }

  private touch(i: number, value: string, version: number): void {
    const bucket = (this.buckets[i] as Map<string, Bucket>).get(value);
    if (bucket) bucket.changed = version;
  }

  private leave(i: number, value: string, key: string, version: number): void {
    const map = this.buckets[i] as Map<string, Bucket>;
    const bucket = map.get(value);
    if (!bucket) return;
    bucket.keys.delete(key);
    bucket.changed = version;
    // Dropping empty buckets bounds memory by live values; changedSince then falls back to lastChanged.
    if (bucket.keys.size === 0) map.delete(value);
  }
}
