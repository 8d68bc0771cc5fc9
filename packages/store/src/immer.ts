import { freeze, Immer } from 'immer';
import type { Change } from './ops.js';

// A private instance so another package toggling immer's global settings cannot unfreeze the
// store's objects. Loose iteration skips symbol/non-enumerable keys, which JSON-like data lacks.
const immer = new Immer({ autoFreeze: true, useStrictIteration: false });
const produce = immer.produce as <T>(base: T, recipe: (draft: unknown) => unknown) => T;

/** Applies a replacement or a recipe; a recipe that changes nothing returns `base` itself. */
export function applyChange<T>(base: T, change: Change<T>): T {
  if (typeof change === 'function') return produce(base, change as (draft: unknown) => unknown);
  return deepFreeze(change);
}

/** Freezes an object graph in place (the store takes ownership of objects written to it). */
export function deepFreeze<T>(value: T): T {
  return freeze(value, true);
}
