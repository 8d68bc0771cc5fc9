import type { ChangeRecord } from './change-record.js';

/**
 * The last `capacity` committed events, for watch replay (a ring buffer: O(1) push, memory
 * bounded). `compactedThrough` is the highest version whose events are no longer all retained;
 * a replay must start at or after it.
 */
export class EventWindow {
  private readonly buf: (ChangeRecord | undefined)[];
  private start = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    public compactedThrough: number,
  ) {
    this.buf = new Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(record: ChangeRecord): void {
    if (this.capacity === 0) {
      this.compactedThrough = record.event.version;
      return;
    }
    if (this.count === this.capacity) {
      const evicted = this.buf[this.start] as ChangeRecord;
      this.compactedThrough = Math.max(this.compactedThrough, evicted.event.version);
      this.buf[this.start] = record;
      this.start = (this.start + 1) % this.capacity;
      return;
    }
    this.buf[(this.start + this.count) % this.capacity] = record;
    this.count++;
  }

  /** Discards everything (after loading a snapshot at `version`). */
  reset(version: number): void {
    this.buf.fill(undefined);
    this.start = 0;
    this.count = 0;
    this.compactedThrough = version;
  }

  /** Retained records with version > `version`, oldest first. Caller checks compaction first. */
  after(version: number): ChangeRecord[] {
    const at = (i: number) => this.buf[(this.start + i) % this.capacity] as ChangeRecord;
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at(mid).event.version <= version) lo = mid + 1;
      else hi = mid;
    }
    const out: ChangeRecord[] = [];
    for (let i = lo; i < this.count; i++) out.push(at(i));
    return out;
  }
}
