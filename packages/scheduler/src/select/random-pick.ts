import { type RandomSource, randomInt } from '../random.js';
import type { InstanceSelector } from './selector.js';

/**
 * The selector for a chain that starts with random: a uniform pick among the
 * feasible instances, in O(log n) with a Fenwick tree over the candidates
 * (in index order), so it picks exactly what a linear scan would.
 */
export class RandomPickSelector implements InstanceSelector {
  private readonly tree: Int32Array;
  private readonly slotOf = new Map<number, number>();
  private remaining: number;
  private readonly topBit: number;

  constructor(private readonly candidates: readonly number[]) {
    const n = candidates.length;
    this.tree = new Int32Array(n + 1);
    for (let s = 0; s < n; s++) {
      this.slotOf.set(candidates[s]!, s);
      // Linear-time Fenwick build: each slot holds 1, pushed to its parent.
      const i = s + 1;
      this.tree[i]! += 1;
      const parent = i + (i & -i);
      if (parent <= n) this.tree[parent]! += this.tree[i]!;
    }
    this.remaining = n;
    let bit = 1;
    while (bit * 2 <= n) bit *= 2;
    this.topBit = bit;
  }

  next(random: RandomSource): number {
    if (this.remaining === 0) return -1;
    // Find the slot holding the k-th (0-based) remaining candidate.
    let k = randomInt(random, this.remaining);
    let pos = 0;
    for (let bit = this.topBit; bit > 0; bit >>= 1) {
      const next = pos + bit;
      if (next < this.tree.length && this.tree[next]! <= k) {
        pos = next;
        k -= this.tree[next]!;
      }
    }
    return this.candidates[pos]!;
  }

  placed(index: number, stillFits: boolean): void {
    if (stillFits) return;
    const slot = this.slotOf.get(index);
    if (slot === undefined) return;
    this.slotOf.delete(index);
    this.remaining--;
    for (let i = slot + 1; i < this.tree.length; i += i & -i) this.tree[i]!--;
  }
}
