/**
 * A binary min-heap over ids 0…capacity-1, each with a fixed-length numeric
 * key compared lexicographically. Keys live in one flat Float64Array (id ×
 * stride) so building and updating allocate nothing; positions are tracked so
 * any id can be re-positioned or removed in O(log n).
 */
export class KeyedHeap {
  readonly keys: Float64Array;
  private readonly heap: Int32Array;
  private readonly pos: Int32Array;
  size = 0;

  /** `keys`, when given, is adopted as the key store (at least capacity × stride long). */
  constructor(
    capacity: number,
    readonly stride: number,
    keys?: Float64Array,
  ) {
    this.keys = keys ?? new Float64Array(capacity * stride);
    this.heap = new Int32Array(capacity);
    // Ids enter only through buildAll, which sets their positions.
    this.pos = new Int32Array(capacity);
  }

  /** Puts every id 0…count-1 in the heap at once; their keys must be written. */
  buildAll(count: number): void {
    for (let i = 0; i < count; i++) {
      this.heap[i] = i;
      this.pos[i] = i;
    }
    this.size = count;
    for (let i = (count >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  top(): number {
    return this.size === 0 ? -1 : this.heap[0]!;
  }

  /** Re-positions `id` after its key was rewritten (either direction). */
  update(id: number): void {
    const p = this.pos[id]!;
    if (p < 0) return;
    this.siftUp(p);
    this.siftDown(this.pos[id]!);
  }

  remove(id: number): void {
    const p = this.pos[id]!;
    if (p < 0) return;
    const last = this.heap[--this.size]!;
    this.pos[id] = -1;
    if (last === id) return;
    this.heap[p] = last;
    this.pos[last] = p;
    this.siftUp(p);
    this.siftDown(this.pos[last]!);
  }

  /** Whether `key` (at `offset` in `source`) equals the stored key of `id`. */
  keyEquals(id: number, source: Float64Array, offset: number): boolean {
    const base = id * this.stride;
    for (let k = 0; k < this.stride; k++) if (this.keys[base + k] !== source[offset + k]) return false;
    return true;
  }

  /** Overwrites the stored key of `id` from `source`. */
  setKey(id: number, source: Float64Array, offset: number): void {
    this.keys.set(source.subarray(offset, offset + this.stride), id * this.stride);
  }

  private less(a: number, b: number): boolean {
    const keys = this.keys;
    const stride = this.stride;
    let x = a * stride;
    let y = b * stride;
    for (let k = 0; k < stride; k++, x++, y++) {
      if (keys[x]! !== keys[y]!) return keys[x]! < keys[y]!;
    }
    return false;
  }

  private siftUp(p: number): void {
    const heap = this.heap;
    const id = heap[p]!;
    while (p > 0) {
      const parent = (p - 1) >> 1;
      const other = heap[parent]!;
      if (!this.less(id, other)) break;
      heap[p] = other;
      this.pos[other] = p;
      p = parent;
    }
    heap[p] = id;
    this.pos[id] = p;
  }

  private siftDown(p: number): void {
    const heap = this.heap;
    const id = heap[p]!;
    const size = this.size;
    for (;;) {
      let child = 2 * p + 1;
      if (child >= size) break;
      if (child + 1 < size && this.less(heap[child + 1]!, heap[child]!)) child++;
      const other = heap[child]!;
      if (!this.less(other, id)) break;
      heap[p] = other;
      this.pos[other] = p;
      p = child;
    }
    heap[p] = id;
    this.pos[id] = p;
  }
}
