import type { RandomSource } from '../random.js';

/**
 * Picks, task after task, the best feasible instance under a strategy chain.
 * A selector starts from the instances that passed every filter; placing a
 * task changes only the instance it lands on, so it is told about that one.
 */
export interface InstanceSelector {
  /** The instance for the next task, or -1 when none is left. Draws one random number when the chain ends in random. */
  next(random: RandomSource): number;
  /** A task was placed on `index`; `stillFits` says whether it can take another. */
  placed(index: number, stillFits: boolean): void;
}
