import { type RandomSource, randomInt } from '../random.js';
import type { StrategyKeys } from '../strategy.js';
import type { InstanceSelector } from './selector.js';

/**
 * Scans every feasible instance per task: the general selector, used for
 * chains the tree does not cover (random after other steps). Ties on every
 * deterministic step go to the lowest index, or to a uniform pick among the
 * tied when the chain ends in random.
 */
export class LinearSelector implements InstanceSelector {
  private readonly alive: Uint8Array;
  private readonly tied: Int32Array;

  constructor(
    private readonly keys: StrategyKeys,
    private readonly candidates: readonly number[],
  ) {
    this.alive = new Uint8Array(keys.cluster.size);
    for (const i of candidates) this.alive[i] = 1;
    this.tied = new Int32Array(candidates.length);
  }

  next(random: RandomSource): number {
    return pickBest(this.keys, this.candidates, (i) => this.alive[i] === 1, this.tied, random);
  }

  placed(index: number, stillFits: boolean): void {
    if (!stillFits) this.alive[index] = 0;
  }
}

/** The lexicographic minimum over `candidates` (in index order) that pass `feasible`. */
export function pickBest(
  keys: StrategyKeys,
  candidates: Iterable<number>,
  feasible: (index: number) => boolean,
  tied: Int32Array,
  random: RandomSource,
): number {
  let best = -1;
  let ties = 0;
  for (const i of candidates) {
    if (!feasible(i)) continue;
    if (best < 0) {
      best = i;
      tied[0] = i;
      ties = 1;
      continue;
    }
    const c = keys.compare(0, i, best);
    if (c < 0) {
      best = i;
      tied[0] = i;
      ties = 1;
    } else if (c === 0 && keys.random) {
      tied[ties++] = i;
    }
  }
  if (best < 0 || !keys.random) return best;
  return tied[randomInt(random, ties)]!;
}
