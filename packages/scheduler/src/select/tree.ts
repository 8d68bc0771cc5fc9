import type { BucketSet, CandidateBuckets } from '../cluster-state.js';
import { type CompiledRequest, passesAll } from '../request.js';
import type { StrategyKeys } from '../strategy.js';
import { KeyedHeap } from './keyed-heap.js';
import type { InstanceSelector } from './selector.js';
import { smallestSlots } from './smallest.js';

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
  private readonly leaves: LeafNode[] = [];
  /** Instance index → where its leaf holds it: leaf id × 2^21 + slot (only instances some leaf holds). */
  private readonly placeOf = new Map<number, number>();
  /** Whether keys can change off the placed path (a spread on an attribute below the root). */
  private readonly lazy: boolean;
  private readonly scratch: Float64Array;

  constructor(
    private readonly keys: StrategyKeys,
    private readonly buckets: BucketSet,
    private readonly req: CompiledRequest,
  ) {
    const steps = keys.steps;
    this.lazy = steps.some((s, i) => i > 0 && s.kind === 'spreadAttribute');
    this.scratch = new Float64Array(steps.length + 1);
    this.root = this.build(0, buckets.root, undefined, 0) ?? emptyLeaf(this);
  }

  /** The attributes of a chain's leading spreads: how the candidate buckets given to the constructor are split. */
  static bucketAttributes(keys: StrategyKeys): string[] {
    const attributes: string[] = [];
    for (const step of keys.steps) {
      if (step.kind !== 'spreadAttribute') break;
      attributes.push(step.attribute);
    }
    return attributes;
  }

  next(): number {
    return this.root.best();
  }

  placed(index: number, stillFits: boolean): void {
    const place = this.placeOf.get(index);
    if (place === undefined) return;
    const leaf = this.leaves[Math.floor(place / slotSpace)]!;
    const slot = place % slotSpace;
    if (stillFits) {
      this.keys.write(leaf.level, index, leaf.heap.keys, slot * leaf.heap.stride);
      leaf.heap.update(slot);
    } else {
      leaf.heap.remove(slot);
      this.placeOf.delete(index);
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

  /** Builds the node for `buckets` from the instances that fit; undefined when none does. */
  private build(
    level: number,
    buckets: CandidateBuckets,
    parent: BucketNode | undefined,
    id: number,
  ): TreeNode | undefined {
    const stride = this.keys.length - level + 1;
    if ('members' in buckets) return this.buildLeaf(level, buckets, parent, id, stride);
    const bucket = new BucketNode(this, level, parent, id, buckets.children.length, stride);
    for (const childBuckets of buckets.children) {
      const c = bucket.children.length;
      const child = this.build(level + 1, childBuckets, bucket, c);
      if (child === undefined) continue;
      bucket.children.push(child);
      this.keys.write(level, child.best(), bucket.heap.keys, c * stride);
    }
    if (bucket.children.length === 0) return undefined;
    bucket.heap.buildAll(bucket.children.length);
    return bucket;
  }

  /**
   * A leaf over the bucket's instances that fit. Unless keys can change off
   * the placed path, only the `limit` best are kept: an instance's key moves
   * only when it takes a task, so the instances a call first places on come
   * in their initial order, and a call places at most `limit` tasks.
   */
  private buildLeaf(
    level: number,
    bucket: { readonly members: Int32Array; readonly offset: number },
    parent: BucketNode | undefined,
    id: number,
    stride: number,
  ): LeafNode | undefined {
    const all = bucket.members;
    const limit = this.lazy ? all.length : Math.min(all.length, this.req.count);
    const column = stride === 2 ? this.keys.column(level) : undefined;
    const chosen =
      column === undefined
        ? this.scanGeneric(level, all, stride, limit)
        : ((limit < all.length ? this.scanInKeyOrder(level, bucket, column, limit) : undefined) ??
          this.scanOneKey(all, column, limit));
    if (chosen === undefined || chosen.size === 0) return undefined;
    const { members, keys, size } = chosen;
    const leafId = this.leaves.length;
    const leaf = new LeafNode(this, level, parent, id, members, new KeyedHeap(size, stride, keys));
    for (let j = 0; j < size; j++) this.placeOf.set(members[j]!, leafId * slotSpace + j);
    this.leaves.push(leaf);
    leaf.heap.buildAll(size);
    return leaf;
  }

  /** Whether instance `index` can take a task: fitsAnother, inlined over the packed arrays. */
  private fits(index: number): boolean {
    const state = this.keys.cluster;
    const demand = this.req.demand;
    if (state.cpuLeft[index]! < demand.cpu || state.memoryLeft[index]! < demand.memory) return false;
    const others = this.req.otherDynamicFilters;
    return others.length === 0 || passesAll(others, state.records[index]!);
  }

  /**
   * The common leaf: one key read straight from a packed array, then the
   * index. Keeps the best `limit` in a bounded max-heap while scanning;
   * members come in index order, so an equal key never displaces one.
   */
  private scanOneKey(
    all: Int32Array,
    column: Float64Array | Int32Array,
    limit: number,
  ): LeafCandidates | undefined {
    const values = new Float64Array(limit);
    const members = new Int32Array(limit);
    let size = 0;
    for (let k = 0; k < all.length; k++) {
      const index = all[k]!;
      if (!this.fits(index)) continue;
      const value = column[index]!;
      if (size < limit) {
        // Sift up into the max-heap.
        let p = size++;
        while (p > 0) {
          const parent = (p - 1) >> 1;
          if (!greaterPair(value, index, values[parent]!, members[parent]!)) break;
          values[p] = values[parent]!;
          members[p] = members[parent]!;
          p = parent;
        }
        values[p] = value;
        members[p] = index;
      } else if (value < values[0]!) {
        // Replace the worst kept and sift it down.
        let p = 0;
        for (;;) {
          let child = 2 * p + 1;
          if (child >= size) break;
          if (
            child + 1 < size &&
            greaterPair(values[child + 1]!, members[child + 1]!, values[child]!, members[child]!)
          )
            child++;
          if (!greaterPair(values[child]!, members[child]!, value, index)) break;
          values[p] = values[child]!;
          members[p] = members[child]!;
          p = child;
        }
        values[p] = value;
        members[p] = index;
      }
    }
    if (size === 0) return undefined;
    const keys = new Float64Array(size * 2);
    for (let j = 0; j < size; j++) {
      keys[2 * j] = values[j]!;
      keys[2 * j + 1] = members[j]!;
    }
    return { members, keys, size };
  }

  /**
   * The best `limit` of a one-key leaf without visiting every member, when
   * the state has an index in that key's order (undefined when not: then
   * the caller scans).
   */
  private scanInKeyOrder(
    level: number,
    bucket: { readonly members: Int32Array; readonly offset: number },
    column: Float64Array | Int32Array,
    limit: number,
  ): LeafCandidates | undefined {
    const step = this.keys.steps[level];
    if (step?.kind === 'spreadInstance') return this.scanUntouched(bucket, column, limit);
    if (step?.kind === 'binpack') return this.scanBinpacked(step.resource, bucket.members, column, limit);
    return undefined;
  }

  /**
   * A binpack leaf, from the state's ResourceOrder: members by (remaining
   * resource, index) from the first with enough of it, so the first `limit`
   * that fit are the best `limit`; members with too little fail the filter
   * anyway. Undefined when the state has no usable order for the set
   * (then the caller scans).
   */
  private scanBinpacked(
    resource: 'cpu' | 'memory',
    members: Int32Array,
    column: Float64Array | Int32Array,
    limit: number,
  ): LeafCandidates | undefined {
    const demand = resource === 'cpu' ? this.req.demand.cpu : this.req.demand.memory;
    if (!Number.isFinite(demand)) return undefined;
    const order = this.keys.cluster.resourceOrder(this.buckets, resource);
    if (order === undefined || !order.usable) return undefined;
    const kept = new Int32Array(limit);
    const keys = new Float64Array(limit * 2);
    let size = 0;
    order.scan(order.leafIdOf(members), demand, (index) => {
      if (!this.fits(index)) return true;
      kept[size] = index;
      keys[2 * size] = column[index]!;
      keys[2 * size + 1] = index;
      return ++size < limit;
    });
    return { members: kept, keys, size };
  }

  /**
   * A leaf keyed by the group's count per instance (spread over instances),
   * without visiting every member: instances holding no task of the group
   * all have key 0, the least possible, so the best `limit` are the first
   * `limit` of them that fit, in index order — found through the state's
   * FitIndex, which skips ranges without enough CPU or memory. Undefined
   * when fewer than `limit` such instances fit (then keys above 0 matter)
   * or the state keeps no FitIndex for the set: the caller scans.
   */
  private scanUntouched(
    bucket: { readonly members: Int32Array; readonly offset: number },
    groupCount: Float64Array | Int32Array,
    limit: number,
  ): LeafCandidates | undefined {
    const state = this.keys.cluster;
    const fitIndex = state.fitIndex(this.buckets);
    if (fitIndex === undefined) return undefined;
    const members = new Int32Array(limit);
    let size = 0;
    const { cpu, memory } = this.req.demand;
    fitIndex.scan(bucket.offset, bucket.offset + bucket.members.length, cpu, memory, (index) => {
      if (groupCount[index] === 0 && this.fits(index)) members[size++] = index;
      return size < limit;
    });
    if (size < limit) return undefined;
    const keys = new Float64Array(size * 2);
    for (let j = 0; j < size; j++) keys[2 * j + 1] = members[j]!;
    return { members, keys, size };
  }

  /** Any leaf: every key written through the strategy keys, then the best `limit` kept. */
  private scanGeneric(
    level: number,
    all: Int32Array,
    stride: number,
    limit: number,
  ): LeafCandidates | undefined {
    const keys = new Float64Array(all.length * stride);
    const fitting = new Int32Array(all.length);
    let m = 0;
    for (let k = 0; k < all.length; k++) {
      const index = all[k]!;
      if (!this.fits(index)) continue;
      fitting[m] = index;
      this.keys.write(level, index, keys, m * stride);
      m++;
    }
    if (m === 0) return undefined;
    if (m <= limit) return { members: fitting, keys, size: m };
    const slots = smallestSlots(keys, stride, m, limit);
    const members = new Int32Array(limit);
    const kept = new Float64Array(limit * stride);
    for (let j = 0; j < limit; j++) {
      const slot = slots[j]!;
      members[j] = fitting[slot]!;
      kept.set(keys.subarray(slot * stride, (slot + 1) * stride), j * stride);
    }
    return { members, keys: kept, size: limit };
  }

  /** Returns the top entry's best instance, re-validating stale keys on the way (see the class comment). */
  validateTop(node: TreeNode): number {
    const heap = node.heap;
    for (;;) {
      const top = heap.top();
      if (top < 0) return -1;
      const index = node.representative(top);
      if (!this.lazy) return index;
      this.keys.write(node.level, index, this.scratch, 0);
      if (heap.keyEquals(top, this.scratch, 0)) return index;
      heap.setKey(top, this.scratch, 0);
      heap.update(top);
    }
  }
}

const slotSpace = 2 ** 21;

/** A leaf's instances and their keys (stride numbers each), `size` of them. */
interface LeafCandidates {
  readonly members: Int32Array;
  readonly keys: Float64Array;
  readonly size: number;
}

function greaterPair(value: number, index: number, otherValue: number, otherIndex: number): boolean {
  return value > otherValue || (value === otherValue && index > otherIndex);
}

interface TreeNode {
  readonly level: number;
  readonly parent: BucketNode | undefined;
  readonly idInParent: number;
  readonly heap: KeyedHeap;
  best(): number;
  /** The best instance under heap entry `id`. */
  representative(id: number): number;
}

class LeafNode implements TreeNode {
  constructor(
    private readonly tree: TreeSelector,
    readonly level: number,
    readonly parent: BucketNode | undefined,
    readonly idInParent: number,
    readonly members: Int32Array,
    readonly heap: KeyedHeap,
  ) {}

  best(): number {
    return this.tree.validateTop(this);
  }

  representative(slot: number): number {
    return this.members[slot]!;
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
    return this.tree.validateTop(this);
  }

  representative(child: number): number {
    return this.children[child]!.best();
  }
}

function emptyLeaf(tree: TreeSelector): LeafNode {
  return new LeafNode(tree, 0, undefined, 0, new Int32Array(0), new KeyedHeap(0, 1));
}
