/**
 * The slots of the `n` smallest of `count` keys (each `stride` numbers in
 * `keys`, compared lexicographically), in no particular order: a bounded
 * max-heap, so O(count · log n) and usually one comparison per key.
 */
export function smallestSlots(keys: Float64Array, stride: number, count: number, n: number): Int32Array {
  if (count <= n) return Int32Array.from({ length: count }, (_, s) => s);
  const heap = new Int32Array(n);
  const greater = (a: number, b: number) => {
    for (let k = 0, x = a * stride, y = b * stride; k < stride; k++, x++, y++) {
      if (keys[x]! !== keys[y]!) return keys[x]! > keys[y]!;
    }
    return false;
  };
  const siftDown = (size: number) => {
    let p = 0;
    const slot = heap[0]!;
    for (;;) {
      let child = 2 * p + 1;
      if (child >= size) break;
      if (child + 1 < size && greater(heap[child + 1]!, heap[child]!)) child++;
      if (!greater(heap[child]!, slot)) break;
      heap[p] = heap[child]!;
      p = child;
    }
    heap[p] = slot;
  };
  for (let size = 0; size < n; size++) {
    let p = size;
    while (p > 0 && greater(size, heap[(p - 1) >> 1]!)) {
      heap[p] = heap[(p - 1) >> 1]!;
      p = (p - 1) >> 1;
    }
    heap[p] = size;
  }
  for (let s = n; s < count; s++) {
    if (greater(heap[0]!, s)) {
      heap[0] = s;
      siftDown(n);
    }
  }
  return heap;
}
