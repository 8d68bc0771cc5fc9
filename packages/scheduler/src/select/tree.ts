import type { StrategyKeys } from '../strategy.js';
import { KeyedHeap } from './keyed-heap.js';
import type { InstanceSelector } from './selector.js';

/**
 * The fast selector for deterministic chains. Leading spread-on-attribute
 * steps become levels of buckets (one per attribute value); the remaining
 * steps order the instances of each bucket in a heap. Every heap entry is
 * keyed by the full remaining key of its best instance, so the root's top is
 * the exact lexicographic minimum.
 *
 * A placement changes the keys on one root-to-leaf path (its instance and
 * the buckets holding it), which are rewritten eagerly. It can also raise
 * spread counts that other buckets read (a spread over instance types nested
 * in a spread over zones); those keys only ever grow, so stored keys stay
 * lower bounds and are re-validated lazily when they reach a heap's top.
 */
export class TreeSelector implements InstanceSelector {
  private readonly root: TreeNode;
  private readonly leafOf: (LeafNode | undefined)[];
  private readonly slotOf: Int32Array;
  /** Whether keys can change off the placed path (a spread on an attribute below the root). */
  private readonly lazy: boolean;
  private readonly scratch: Float64Array;
  /** Index of the first step that is not a spread on an attribute: the leaf level. */
  private readonly leafLevel: number;

  constructor(
    private readonly keys: StrategyKeys,
    candidates: readonly number[],
  ) {
    const steps = keys.steps;
    let leafLevel = 0;
    while (leafLevel < steps.length && steps[leafLevel]!.kind === 'spreadAttribute') leafLevel++;
    this.leafLevel = leafLevel;
    this.lazy = steps.some((s, i) => i > 0 && s.kind === 'spreadAttribute');
    this.scratch = new Float64Array(steps.length + 1);
    this.leafOf = new Array<LeafNode | undefined>(keys.cluster.size);
    this.slotOf = new Int32Array(keys.cluster.size);
    this.root = this.build(0, candidates, undefined, 0);
  }

  next(): number {
    return this.root.best();
  }

  placed(index: number, stillFits: boolean): void {
    const leaf = this.leafOf[index];
    if (leaf === undefined) return;
    const slot = this.slotOf[index]!;
    if (stillFits) {
      this.keys.write(leaf.level, index, leaf.heap.keys, slot * leaf.heap.stride);
      leaf.heap.update(slot);
    } else {
      leaf.heap.remove(slot);
      this.leafOf[index] = undefined;
    }
    let node: TreeNode = leaf;
    for (let parent = node.parent; parent !== undefined; node = parent, parent = parent.parent) {
      if (node.heap.size === 0) parent.heap.remove(node.idInParent);
      else {
        this.keys.write(parent.level, node.best(), parent.heap.keys, node.idInParent * parent.heap.stride);
        parent.heap.update(node.idInParent);
      }
    }
  }

  private build(
    level: number,
    members: readonly number[],
    parent: BucketNode | undefined,
    id: number,
  ): TreeNode {
    const stride = this.keys.length - level + 1;
    if (level === this.leafLevel) {
      const leaf = new LeafNode(this, level, parent, id, Int32Array.from(members), stride);
      for (let s = 0; s < members.length; s++) {
        const index = members[s]!;
        this.leafOf[index] = leaf;
        this.slotOf[index] = s;
        this.keys.write(level, index, leaf.heap.keys, s * stride);
      }
      leaf.heap.buildAll(members.length);
      return leaf;
    }
    const valueIdOf = this.keys.valueIdsOf(level)!;
    const parts = new Map<number, number[]>();
    for (const index of members) {
      const v = valueIdOf[index]!;
      const part = parts.get(v);
      if (part === undefined) parts.set(v, [index]);
      else part.push(index);
    }
    const bucket = new BucketNode(this, level, parent, id, parts.size, stride);
    let c = 0;
    for (const part of parts.values()) {
      const child = this.build(level + 1, part, bucket, c);
      bucket.children.push(child);
      this.keys.write(level, child.best(), bucket.heap.keys, c * stride);
      c++;
    }
    bucket.heap.buildAll(parts.size);
    return bucket;
  }

  /** Returns the top entry's best instance, re-validating stale keys on the way (see the class comment). */
  validateTop(node: TreeNode, representative: (id: number) => number): number {
    const heap = node.heap;
    for (;;) {
      const top = heap.top();
      if (top < 0) return -1;
      const index = representative(top);
      if (!this.lazy) return index;
      this.keys.write(node.level, index, this.scratch, 0);
      if (heap.keyEquals(top, this.scratch, 0)) return index;
      heap.setKey(top, this.scratch, 0);
      heap.update(top);
    }
  }
}

interface TreeNode {
  readonly level: number;
  readonly parent: BucketNode | undefined;
  readonly idInParent: number;
  readonly heap: KeyedHeap;
  best(): number;
}

class LeafNode implements TreeNode {
  readonly heap: KeyedHeap;
  constructor(
    private readonly tree: TreeSelector,
    readonly level: number,
    readonly parent: BucketNode | undefined,
    readonly idInParent: number,
    private readonly members: Int32Array,
    stride: number,
  ) {
    this.heap = new KeyedHeap(members.length, stride);
  }

  best(): number {
    return this.tree.validateTop(this, (slot) => this.members[slot]!);
  }
}

class BucketNode implements TreeNode {
  readonly heap: KeyedHeap;
  readonly children: TreeNode[] = [];
  constructor(
    private readonly tree: TreeSelector,
    readonly level: number,
    readonly parent: BucketNode | undefined,
    readonly idInParent: number,
    childCount: number,
    stride: number,
  ) {
    this.heap = new KeyedHeap(childCount, stride);
  }

  best(): number {
    return this.tree.validateTop(this, (child) => this.children[child]!.best());
  }
}
