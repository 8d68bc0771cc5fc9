import type { PlacementStrategy } from '@baton-ecs/model';
import { type Either, left, right } from 'fp-ts/lib/Either.js';
import type { ClusterState } from './cluster-state.js';

/** One placement strategy, resolved. */
export type StrategyStep =
  | { readonly kind: 'spreadAttribute'; readonly attribute: string }
  | { readonly kind: 'spreadInstance' }
  | { readonly kind: 'binpack'; readonly resource: 'cpu' | 'memory' }
  | { readonly kind: 'random' };

/** ECS's default for services: spread over availability zones, then over instances. */
export const defaultPlacementStrategy: readonly Pick<PlacementStrategy, 'type' | 'field'>[] = [
  { type: 'spread', field: 'attribute:ecs.availability-zone' },
  { type: 'spread', field: 'instanceId' },
];

/**
 * Resolves strategies (an empty list means the default). Steps after
 * `random` are dropped: random values never tie, so nothing after it decides.
 */
export function compileStrategies(
  strategies: readonly Pick<PlacementStrategy, 'type' | 'field'>[],
): Either<string, StrategyStep[]> {
  const steps: StrategyStep[] = [];
  for (const s of strategies.length === 0 ? defaultPlacementStrategy : strategies) {
    if (s.type === 'random') {
      steps.push({ kind: 'random' });
      break;
    }
    const field = s.field ?? '';
    if (s.type === 'binpack') {
      const resource = field.toLowerCase();
      if (resource !== 'cpu' && resource !== 'memory')
        return left(`binpack field must be cpu or memory (got "${field}")`);
      steps.push({ kind: 'binpack', resource });
    } else if (s.type === 'spread') {
      if (field === 'instanceId' || field === 'host') steps.push({ kind: 'spreadInstance' });
      else if (field.startsWith('attribute:') && field.length > 'attribute:'.length)
        steps.push({ kind: 'spreadAttribute', attribute: field.slice('attribute:'.length) });
      else return left(`spread field must be instanceId, host or attribute:<name> (got "${field}")`);
    } else {
      return left(`unknown placement strategy type "${String(s.type)}"`);
    }
  }
  return right(steps);
}

/**
 * The strategy chain of one placement call as numeric keys per instance,
 * smaller is better: spread keys are the group's task counts (per attribute
 * value or per instance), binpack keys the remaining CPU or memory. The chain
 * orders instances lexicographically by these keys, then by instance index;
 * a trailing `random` instead picks uniformly among the instances tied on
 * every key before it.
 */
export class StrategyKeys {
  /** The deterministic steps, those before any random step. */
  readonly steps: readonly StrategyStep[];
  /** Whether a random step ends the chain. */
  readonly random: boolean;
  /** Instance index → live tasks of the group there (empty unless the chain spreads over instances). */
  readonly groupCount: Int32Array;
  private readonly valueIdOf: (Int32Array | undefined)[];
  private readonly counts: (Int32Array | undefined)[];
  private readonly readers: ((index: number) => number)[];
  /** The instances whose groupCount entry may be non-zero: zeroed again by release(). */
  private readonly touched: number[] = [];

  constructor(
    private readonly state: ClusterState,
    chain: readonly StrategyStep[],
    group: string,
  ) {
    const randomAt = chain.findIndex((s) => s.kind === 'random');
    this.steps = randomAt < 0 ? chain : chain.slice(0, randomAt);
    this.random = randomAt >= 0;
    const distribution = state.groupDistribution(group);
    // Dense per-instance counts only when a step reads them (spread over instances): a zeroed array
    // lent by the state (allocating one per call is most of a small call's cost), given back by release().
    const spreadsInstances = this.steps.some((s) => s.kind === 'spreadInstance');
    this.groupCount = spreadsInstances ? state.borrowZeroedCounts() : new Int32Array(0);
    if (spreadsInstances) {
      for (const [index, n] of distribution) {
        this.groupCount[index] = n;
        this.touched.push(index);
      }
    }
    this.valueIdOf = [];
    this.counts = [];
    this.readers = this.steps.map((step, s) => {
      switch (step.kind) {
        case 'spreadAttribute': {
          const { valueIdOf, values } = state.spreadValues(step.attribute);
          const counts = new Int32Array(values.length);
          for (const [index, n] of distribution) counts[valueIdOf[index]!]! += n;
          this.valueIdOf[s] = valueIdOf;
          this.counts[s] = counts;
          return (i) => counts[valueIdOf[i]!]!;
        }
        case 'spreadInstance': {
          const groupCount = this.groupCount;
          return (i) => groupCount[i]!;
        }
        case 'binpack': {
          const left = step.resource === 'cpu' ? state.cpuLeft : state.memoryLeft;
          return (i) => left[i]!;
        }
        default:
          // random: unreachable, it ends the deterministic steps.
          return () => 0;
      }
    });
  }

  get length(): number {
    return this.steps.length;
  }

  /** The attribute value id of instance `index` for a spreadAttribute step (undefined for others). */
  valueIdsOf(step: number): Int32Array | undefined {
    return this.valueIdOf[step];
  }

  /**
   * The packed per-instance array a step reads directly (binpack: remaining
   * CPU or memory; spread over instances: the group's count), or undefined
   * when the step reads through a bucket (spread on an attribute).
   */
  column(step: number): Float64Array | Int32Array | undefined {
    const s = this.steps[step];
    if (s?.kind === 'binpack') return s.resource === 'cpu' ? this.state.cpuLeft : this.state.memoryLeft;
    if (s?.kind === 'spreadInstance') return this.groupCount;
    return undefined;
  }

  value(step: number, index: number): number {
    return this.readers[step]!(index);
  }

  /** Writes the keys of steps `from`… then the instance index (the final tie-break) into `out`. */
  write(from: number, index: number, out: Float64Array, offset: number): void {
    let o = offset;
    for (let s = from; s < this.readers.length; s++) out[o++] = this.readers[s]!(index);
    out[o] = index;
  }

  /** Compares two instances on steps `from`… (not on index). */
  compare(from: number, a: number, b: number): number {
    for (let s = from; s < this.readers.length; s++) {
      const read = this.readers[s]!;
      const d = read(a) - read(b);
      if (d !== 0) return d;
    }
    return 0;
  }

  /** Accounts a task of the group just placed on instance `index` (its resources are in the state). */
  onPlaced(index: number): void {
    if (this.groupCount.length > 0) {
      this.groupCount[index]!++;
      this.touched.push(index);
    }
    for (let s = 0; s < this.steps.length; s++) {
      const valueIdOf = this.valueIdOf[s];
      if (valueIdOf !== undefined) this.counts[s]![valueIdOf[index]!]!++;
    }
  }

  /**
   * Gives the dense counts back to the state, zeroed, for the next call.
   * The keys must not be used afterwards. (Keys never released only cost
   * the state a fresh array next time.)
   */
  release(): void {
    if (this.groupCount.length === 0) return;
    for (const index of this.touched) this.groupCount[index] = 0;
    this.touched.length = 0;
    this.state.returnZeroedCounts(this.groupCount);
  }

  /** The state these keys read. */
  get cluster(): ClusterState {
    return this.state;
  }
}
