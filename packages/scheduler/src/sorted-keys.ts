/** Entries per block when built; a block splits in two when it reaches twice that. */
const blockSize = 64;

/**
 * A sorted multiset of numbers as a list of sorted blocks (a two-level
 * B-tree): insert and delete cost O(log n + block size), iterating from a
 * lower bound costs O(log n) plus one step per entry visited.
 */
export class SortedKeys {
  private blocks: Float64Array[] = [];
  private sizes: number[] = [];

  /** `sorted` must be in ascending order. */
  constructor(sorted: Float64Array) {
    for (let at = 0; at < sorted.length; at += blockSize) {
      const block = new Float64Array(2 * blockSize);
      const part = sorted.subarray(at, Math.min(sorted.length, at + blockSize));
      block.set(part);
      this.blocks.push(block);
      this.sizes.push(part.length);
    }
  }

  insert(key: number): void {
    if (this.blocks.length === 0) {
      this.blocks.push(new Float64Array(2 * blockSize));
      this.sizes.push(0);
    }
    const b = Math.min(this.blockFor(key), this.blocks.length - 1);
    const block = this.blocks[b]!;
    const size = this.sizes[b]!;
    const at = lowerBound(block, size, key);
    block.copyWithin(at + 1, at, size);
    block[at] = key;
    this.sizes[b] = size + 1;
    if (size + 1 === block.length) {
      // Split: the upper half moves to a new block after this one.
      const upper = new Float64Array(2 * blockSize);
      upper.set(block.subarray(blockSize, size + 1));
      this.blocks.splice(b + 1, 0, upper);
      this.sizes.splice(b + 1, 0, size + 1 - blockSize);
      this.sizes[b] = blockSize;
    }
  }

  /** Removes one entry equal to `key`; false when there is none. */
  delete(key: number): boolean {
    const b = this.blockFor(key);
    if (b >= this.blocks.length) return false;
    const block = this.blocks[b]!;
    const size = this.sizes[b]!;
    const at = lowerBound(block, size, key);
    if (at >= size || block[at] !== key) return false;
    block.copyWithin(at, at + 1, size);
    if (size === 1) {
      this.blocks.splice(b, 1);
      this.sizes.splice(b, 1);
    } else this.sizes[b] = size - 1;
    return true;
  }

  /** Calls `visit` with every entry ≥ `from`, in ascending order, until it returns false. */
  scanFrom(from: number, visit: (key: number) => boolean): void {
    let b = this.blockFor(from);
    if (b >= this.blocks.length) return;
    let at = lowerBound(this.blocks[b]!, this.sizes[b]!, from);
    for (; b < this.blocks.length; b++, at = 0) {
      const block = this.blocks[b]!;
      const size = this.sizes[b]!;
      for (; at < size; at++) if (!visit(block[at]!)) return;
    }
  }

  /** The first block whose last entry is ≥ key (blocks.length when none is). */
  private blockFor(key: number): number {
    let lo = 0;
    let hi = this.blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.blocks[mid]![this.sizes[mid]! - 1]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The first position in `block[0…size)` whose entry is ≥ key. */
function lowerBound(block: Float64Array, size: number, key: number): number {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (block[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
