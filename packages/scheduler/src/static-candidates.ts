import { FitIndex } from './fit-index.js';
import type { InstanceRecord } from './instance-record.js';
import type { CompiledQuery } from './query/compile.js';
import { ResourceOrder } from './resource-order.js';

/** Instances grouped by the value of one attribute, for spread. */
export interface SpreadValues {
  /** Instance index → value id. */
  readonly valueIdOf: Int32Array;
  /** Value id → attribute value; undefined for instances without the attribute (one bucket of their own). */
  readonly values: readonly (string | undefined)[];
}

/**
 * Candidate instances split by spread attribute values, level by level.
 * Leaves list instance indices in index order; `offset` is where a leaf's
 * members start in its BucketSet's `list` (the leaves laid end to end).
 */
export type CandidateBuckets =
  | { readonly members: Int32Array; readonly offset: number }
  | { readonly children: readonly CandidateBuckets[] };

/**
 * The buckets of one candidate set and one list of spread attributes, with
 * the indexes over their leaves that placement builds on demand.
 */
export interface BucketSet {
  readonly root: CandidateBuckets;
  /** Every leaf's members, leaf after leaf (each leaf's `members` is a view into it). */
  readonly list: Int32Array;
  fitIndex: FitIndex | undefined;
  cpuOrder: ResourceOrder | undefined;
  memoryOrder: ResourceOrder | undefined;
}

/** Where the caches read instance facts and the packed remaining resources. */
export interface CandidateSource {
  readonly records: readonly InstanceRecord[];
  readonly cpuLeft: Float64Array;
  readonly memoryLeft: Float64Array;
}

const maxCachedSets = 64;
/**
 * At most this many FitIndexes, and as many orders per resource, live at once:
 * every resource change updates each of them, so a cluster with many distinct
 * constraint sets keeps its updates cheap (and its memory bounded); requests
 * beyond them scan, as they would without indexes.
 */
const maxLiveIndexes = 16;

/**
 * Everything a ClusterState derives from instance facts alone: the
 * schedulable instances (ACTIVE, agent connected), each fact-only memberOf
 * query's verdict per instance, the candidates of a set of such queries,
 * those candidates bucketed by spread attributes, and each attribute's
 * values. Dropped as a whole when an instance changes (`clear`); kept as
 * tasks come and go — except the FitIndexes, which track remaining CPU and
 * memory and are told of every change (`resourcesChanged`).
 */
export class StaticCandidates {
  private schedulableCache: Int32Array | undefined;
  private readonly queryMatchCache = new Map<string, Uint8Array>();
  private readonly candidateCache = new Map<string, Int32Array>();
  private readonly bucketCache = new Map<string, BucketSet>();
  private readonly spreadCache = new Map<string, SpreadValues>();
  /** The indexes built so far (of sets still in bucketCache): updated on every resource change. */
  private fitIndexes: FitIndex[] = [];
  private cpuOrders: ResourceOrder[] = [];
  private memoryOrders: ResourceOrder[] = [];

  constructor(private readonly source: CandidateSource) {}

  clear(): void {
    this.schedulableCache = undefined;
    this.queryMatchCache.clear();
    this.candidateCache.clear();
    this.clearBuckets();
    this.spreadCache.clear();
  }

  /** Instance `index`'s remaining CPU or memory changed. */
  resourcesChanged(index: number, cpu: number, memory: number): void {
    const fits = this.fitIndexes;
    for (let f = 0; f < fits.length; f++) fits[f]!.update(index, cpu, memory);
    // The orders read the packed arrays (already updated) when they next need to.
    const cpuOrders = this.cpuOrders;
    for (let o = 0; o < cpuOrders.length; o++) cpuOrders[o]!.changed(index);
    const memoryOrders = this.memoryOrders;
    for (let o = 0; o < memoryOrders.length; o++) memoryOrders[o]!.changed(index);
  }

  schedulable(): Int32Array {
    if (this.schedulableCache === undefined) {
      const list: number[] = [];
      for (const r of this.source.records) if (r.status === 'ACTIVE' && r.agentConnected) list.push(r.index);
      this.schedulableCache = Int32Array.from(list);
    }
    return this.schedulableCache;
  }

  queryMatches(query: CompiledQuery): Uint8Array {
    let matches = this.queryMatchCache.get(query.canonical);
    if (matches === undefined) {
      const records = this.source.records;
      matches = new Uint8Array(records.length);
      for (const r of records) matches[r.index] = query.matches(r) ? 1 : 0;
      this.queryMatchCache.set(query.canonical, matches);
    }
    return matches;
  }

  candidates(queries: readonly CompiledQuery[]): Int32Array {
    if (queries.length === 0) return this.schedulable();
    const key = queries.map((q) => q.canonical).join('\u0000');
    let list = this.candidateCache.get(key);
    if (list === undefined) {
      const verdicts = queries.map((q) => this.queryMatches(q));
      list = this.schedulable().filter((i) => verdicts.every((v) => v[i] === 1));
      if (this.candidateCache.size >= maxCachedSets) this.candidateCache.clear();
      this.candidateCache.set(key, list);
    }
    return list;
  }

  buckets(queries: readonly CompiledQuery[], attributes: readonly string[]): BucketSet {
    const key = `${queries.map((q) => q.canonical).join('\u0000')}\u0001${attributes.join('\u0000')}`;
    let set = this.bucketCache.get(key);
    if (set === undefined) {
      const candidates = this.candidates(queries);
      const list = new Int32Array(candidates.length);
      const root = this.partition(candidates, attributes, 0, list, { next: 0 });
      set = { root, list, fitIndex: undefined, cpuOrder: undefined, memoryOrder: undefined };
      if (this.bucketCache.size >= maxCachedSets) this.clearBuckets();
      this.bucketCache.set(key, set);
    }
    return set;
  }

  /**
   * The set's FitIndex, built on first use and kept in step with remaining
   * resources from then on; undefined when as many as allowed already live.
   */
  fitIndex(set: BucketSet): FitIndex | undefined {
    if (set.fitIndex === undefined) {
      if (this.fitIndexes.length >= maxLiveIndexes) return undefined;
      const { records, cpuLeft, memoryLeft } = this.source;
      set.fitIndex = new FitIndex(set.list, cpuLeft, memoryLeft, records.length);
      this.fitIndexes.push(set.fitIndex);
    }
    return set.fitIndex;
  }

  /**
   * The set's leaves ordered by remaining `resource`, built on first use and
   * kept in step from then on; undefined when as many as allowed already live.
   */
  resourceOrder(set: BucketSet, resource: 'cpu' | 'memory'): ResourceOrder | undefined {
    const { records, cpuLeft, memoryLeft } = this.source;
    if (resource === 'cpu') {
      if (set.cpuOrder === undefined) {
        if (this.cpuOrders.length >= maxLiveIndexes) return undefined;
        set.cpuOrder = new ResourceOrder(set.root, cpuLeft, records.length);
        this.cpuOrders.push(set.cpuOrder);
      }
      return set.cpuOrder;
    }
    if (set.memoryOrder === undefined) {
      if (this.memoryOrders.length >= maxLiveIndexes) return undefined;
      set.memoryOrder = new ResourceOrder(set.root, memoryLeft, records.length);
      this.memoryOrders.push(set.memoryOrder);
    }
    return set.memoryOrder;
  }

  spreadValues(attribute: string): SpreadValues {
    let spread = this.spreadCache.get(attribute);
    if (spread === undefined) {
      const ids = new Map<string | undefined, number>();
      const values: (string | undefined)[] = [];
      const records = this.source.records;
      const valueIdOf = new Int32Array(records.length);
      for (const r of records) {
        const value = r.attributes.get(attribute);
        let id = ids.get(value);
        if (id === undefined) {
          id = values.length;
          ids.set(value, id);
          values.push(value);
        }
        valueIdOf[r.index] = id;
      }
      spread = { valueIdOf, values };
      this.spreadCache.set(attribute, spread);
    }
    return spread;
  }

  private clearBuckets(): void {
    this.bucketCache.clear();
    this.fitIndexes = [];
    this.cpuOrders = [];
    this.memoryOrders = [];
  }

  /** Splits `members` (in index order) by each attribute in turn; leaves are written to `list` in order. */
  private partition(
    members: Int32Array,
    attributes: readonly string[],
    level: number,
    list: Int32Array,
    cursor: { next: number },
  ): CandidateBuckets {
    const attribute = attributes[level];
    if (attribute === undefined) {
      const offset = cursor.next;
      list.set(members, offset);
      cursor.next += members.length;
      return { members: list.subarray(offset, offset + members.length), offset };
    }
    const { valueIdOf, values } = this.spreadValues(attribute);
    const sizes = new Int32Array(values.length);
    for (const i of members) sizes[valueIdOf[i]!]!++;
    const parts = Array.from(sizes, (n) => new Int32Array(n));
    sizes.fill(0);
    for (const i of members) {
      const v = valueIdOf[i]!;
      parts[v]![sizes[v]!++] = i;
    }
    return {
      children: parts
        .filter((p) => p.length > 0)
        .map((p) => this.partition(p, attributes, level + 1, list, cursor)),
    };
  }
}
