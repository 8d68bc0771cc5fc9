/**
 * Seeded randomness. The scheduler has no source of its own: a caller passes
 * a source in the placement context, so a placement is reproducible from its
 * seed. mulberry32 is small, fast and good enough for tie-breaking.
 */
export interface RandomSource {
  /** A float in [0, 1). */
  next(): number;
}

/** mulberry32: a 32-bit state PRNG. The same seed gives the same sequence. */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** An integer in [0, bound). */
export function randomInt(source: RandomSource, bound: number): number {
  const value = Math.floor(source.next() * bound);
  // Guards against a source that returns exactly 1.
  return value >= bound ? bound - 1 : value;
}
