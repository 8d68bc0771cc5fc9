import type { BatonKinds, Store } from '@baton-ecs/store';

/** Store faults a simulation injects into Baton's commits (the controllers' and RunTask's writes). */
export interface SimulatedFaults {
  /** Share of commits refused as if the store were unreachable (nothing written). 0–1. */
  readonly failedCommits?: number;
  /** Share of commits that land but whose answer is lost (written, yet the writer sees an error). 0–1. */
  readonly lostAnswers?: number;
  /** Seed of which commits fail (apart from the simulation's own seed). Default 1. */
  readonly seed?: number;
}

/** The error a faulty commit answers with. */
export class SimulatedStoreError extends Error {
  override readonly name = 'SimulatedStoreError';
}

/** `store` with its commits failing as `faults` says, deterministically; everything else passes through. */
export function faultyStore(store: Store<BatonKinds>, faults: SimulatedFaults): Store<BatonKinds> {
  let seed = (faults.seed ?? 1) >>> 0 || 1;
  // xorshift32: a seeded source of its own, so faults do not shift the simulation's other choices.
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const commit: Store<BatonKinds>['commit'] = async (ops) => {
    const roll = next();
    if (roll < (faults.failedCommits ?? 0)) throw new SimulatedStoreError('commit failed: store unavailable');
    const result = await store.commit(ops);
    if (roll < (faults.failedCommits ?? 0) + (faults.lostAnswers ?? 0))
      throw new SimulatedStoreError('commit answer lost: the write may have landed');
    return result;
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'commit') return commit;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
