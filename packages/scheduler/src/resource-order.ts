import { SortedKeys } from './sorted-keys.js';
import type { CandidateBuckets } from './static-candidates.js';

/** Keys are value × 2^21 + instance index: ordered by value, then index, exactly, while values are whole and small. */
const indexSpace = 2 ** 21;
const maxValue = 2 ** 31;

/**
 * The members of each leaf of a candidate set, ordered by (remaining CPU or
 * memory, instance index) — a binpack step's key and tie-break — and kept
 * so as resources change. A binpack leaf then visits its instances from the
 * first with enough of the resource, best first, and stops after the `count`
 * best that fit, instead of scanning every member.
 *
 * Changes are noted (`changed`) and applied when the order is next read:
 * binpack puts task after task on one instance, which is then re-sorted
 * once, not once per task.
 *
 * Exact only while every value is a whole number of magnitude below 2^31
 * (CPU units and MiB always are); the first other value makes the order
 * `usable` no more, and callers scan instead.
 */
export class ResourceOrder {
  private exact = true;
  /** Instance index → its leaf, -1 for instances outside the set. */
  private readonly leafOf: Int32Array;
  /** Instance index → the key it is stored under. */
  private readonly keyOf: Float64Array;
  private readonly leaves: SortedKeys[] = [];
  /** Instances whose value changed since the order was last read (each once, flagged in isPending). */
  private readonly pending: number[] = [];
  private readonly isPending: Uint8Array;

  constructor(
    root: CandidateBuckets,
    /** Instance index → the current value; the order reads it when it applies changes. */
    private readonly values: Float64Array,
    instanceCount: number,
  ) {
    this.leafOf = new Int32Array(instanceCount).fill(-1);
    this.keyOf = new Float64Array(instanceCount);
    this.isPending = new Uint8Array(instanceCount);
    this.addLeaves(root, values);
  }

  /** Whether the order is exact (every value whole and small): scan only then. */
  get usable(): boolean {
    if (this.pending.length > 0) this.applyChanges();
    return this.exact;
  }

  /** The leaf id of a leaf bucket: leaves are numbered in the order the set lays them out. */
  leafIdOf(members: Int32Array): number {
    return members.length === 0 ? -1 : this.leafOf[members[0]!]!;
  }

  /** Instance `index`'s value (in `values`) changed. */
  changed(index: number): void {
    if (index >= this.leafOf.length || this.leafOf[index]! < 0 || this.isPending[index] === 1) return;
    this.isPending[index] = 1;
    this.pending.push(index);
  }

  /** Re-sorts the instances whose value changed. */
  private applyChanges(): void {
    for (const index of this.pending) {
      this.isPending[index] = 0;
      const key = keyFor(this.values[index]!, index);
      if (key === undefined) this.exact = false;
      if (!this.exact) continue;
      const sorted = this.leaves[this.leafOf[index]!]!;
      sorted.delete(this.keyOf[index]!);
      sorted.insert(key!);
      this.keyOf[index] = key!;
    }
    this.pending.length = 0;
  }

  /**
   * Calls `visit` with the instances of leaf `leaf` that have at least
   * `demand` left, by (value, index) ascending, until it returns false.
   */
  scan(leaf: number, demand: number, visit: (index: number) => boolean): void {
    if (this.pending.length > 0) this.applyChanges();
    if (!this.exact) throw new Error('ResourceOrder.scan on an order that is not usable');
    const sorted = this.leaves[leaf];
    if (sorted === undefined) return;
    // Values are whole: "at least demand" is "at least ⌈demand⌉".
    const from = Math.max(-maxValue, Math.min(maxValue, Math.ceil(demand))) * indexSpace;
    sorted.scanFrom(from, (key) => visit(key - Math.floor(key / indexSpace) * indexSpace));
  }

  private addLeaves(buckets: CandidateBuckets, values: Float64Array): void {
    if ('children' in buckets) {
      for (const child of buckets.children) this.addLeaves(child, values);
      return;
    }
    const leaf = this.leaves.length;
    const keys = new Float64Array(buckets.members.length);
    for (let m = 0; m < buckets.members.length; m++) {
      const index = buckets.members[m]!;
      const key = keyFor(values[index]!, index);
      if (key === undefined) this.exact = false;
      keys[m] = key ?? 0;
      this.keyOf[index] = key ?? 0;
      this.leafOf[index] = leaf;
    }
    keys.sort();
    this.leaves.push(new SortedKeys(keys));
  }
}

function keyFor(value: number, index: number): number | undefined {
  return Number.isInteger(value) && Math.abs(value) < maxValue && index < indexSpace
    ? value * indexSpace + index
    : undefined;
}
