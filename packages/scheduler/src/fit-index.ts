/**
 * The remaining CPU and memory of a fixed list of instances (a candidate
 * set's buckets laid end to end), as a segment tree of maxima over list
 * positions. It answers "the instances of positions from…to-1, in list
 * order, that may have `cpu` and `memory` left", skipping whole ranges where
 * no instance has enough: a scan that stops after its first few fitting
 * instances costs about O((visited + 1) × log n) instead of the length of
 * the prefix it skips.
 *
 * The maxima are a pruning bound only; callers still check each visited
 * instance. The ClusterState owning it calls `update` whenever an
 * instance's remaining CPU or memory changes, so the bound stays exact.
 */
export class FitIndex {
  /** Instance index → position in the list, -1 for instances not in it. */
  private readonly positionOf: Int32Array;
  private readonly leafBase: number;
  private readonly maxCpu: Float64Array;
  private readonly maxMemory: Float64Array;

  constructor(
    /** Instance indices, in list order. */
    private readonly list: Int32Array,
    cpuLeft: Float64Array,
    memoryLeft: Float64Array,
    instanceCount: number,
  ) {
    this.positionOf = new Int32Array(instanceCount).fill(-1);
    let base = 1;
    while (base < list.length) base *= 2;
    this.leafBase = base;
    this.maxCpu = new Float64Array(2 * base).fill(Number.NEGATIVE_INFINITY);
    this.maxMemory = new Float64Array(2 * base).fill(Number.NEGATIVE_INFINITY);
    for (let p = 0; p < list.length; p++) {
      const index = list[p]!;
      this.positionOf[index] = p;
      this.maxCpu[base + p] = cpuLeft[index]!;
      this.maxMemory[base + p] = memoryLeft[index]!;
    }
    for (let node = base - 1; node >= 1; node--) {
      // Math.max keeps a NaN (which fails no `<` test, as in the filters): the bound never prunes it.
      this.maxCpu[node] = Math.max(this.maxCpu[2 * node]!, this.maxCpu[2 * node + 1]!);
      this.maxMemory[node] = Math.max(this.maxMemory[2 * node]!, this.maxMemory[2 * node + 1]!);
    }
  }

  /** Records instance `index`'s new remaining CPU and memory (a no-op for instances not in the list). */
  update(index: number, cpu: number, memory: number): void {
    const p = index < this.positionOf.length ? this.positionOf[index]! : -1;
    if (p < 0) return;
    let node = this.leafBase + p;
    this.maxCpu[node] = cpu;
    this.maxMemory[node] = memory;
    for (node >>= 1; node >= 1; node >>= 1) {
      this.maxCpu[node] = Math.max(this.maxCpu[2 * node]!, this.maxCpu[2 * node + 1]!);
      this.maxMemory[node] = Math.max(this.maxMemory[2 * node]!, this.maxMemory[2 * node + 1]!);
    }
  }

  /**
   * Calls `visit` with each instance of positions `from`…`to - 1`, in list
   * order, except those that certainly have less than `cpu` or `memory`
   * left, until `visit` returns false.
   */
  scan(from: number, to: number, cpu: number, memory: number, visit: (index: number) => boolean): void {
    if (from < to) this.visitRange(1, 0, this.leafBase, from, to, cpu, memory, visit);
  }

  private visitRange(
    node: number,
    lo: number,
    hi: number,
    from: number,
    to: number,
    cpu: number,
    memory: number,
    visit: (index: number) => boolean,
  ): boolean {
    if (hi <= from || lo >= to) return true;
    // The filters reject when remaining < demand: a range whose maximum is below it has no fitting instance.
    if (this.maxCpu[node]! < cpu || this.maxMemory[node]! < memory) return true;
    if (node >= this.leafBase) return visit(this.list[node - this.leafBase]!);
    const mid = (lo + hi) >> 1;
    return (
      this.visitRange(2 * node, lo, mid, from, to, cpu, memory, visit) &&
      this.visitRange(2 * node + 1, mid, hi, from, to, cpu, memory, visit)
    );
  }
}
