import { mulberry32 } from '@baton-ecs/scheduler';
import { describe, expect, it } from 'vitest';
import { newTaskId } from '../../src/index.js';

/** The straightforward form newTaskId replaced: one hex digit appended per draw. */
function referenceTaskId(random: { next(): number }): string {
  let id = '';
  for (let i = 0; i < 32; i++) id += Math.floor(random.next() * 16).toString(16);
  return id;
}

describe('newTaskId', () => {
  it('draws the same 32 hex digits, in the same order, as appending one digit per draw', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const a = mulberry32(seed);
      const b = mulberry32(seed);
      for (let k = 0; k < 5; k++) expect(newTaskId(a)).toBe(referenceTaskId(b));
      // Both consumed the same number of draws.
      expect(a.next()).toBe(b.next());
    }
  });

  it('is 32 lowercase hex digits', () => {
    expect(newTaskId(mulberry32(9))).toMatch(/^[0-9a-f]{32}$/);
  });
});
