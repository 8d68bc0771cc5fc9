import type { ServiceEvent } from '@baton-ecs/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendServiceEvents,
  duplicateEventWindowMs,
  maxServiceEvents,
  type ServiceMessage,
} from '../../src/index.js';

/** The straightforward form appendServiceEvents replaced: prepend and cap after every event. */
function reference(
  events: readonly ServiceEvent[],
  messages: readonly (string | ServiceMessage)[],
  now: number,
  newId: () => string,
) {
  let list = events;
  const added: ServiceEvent[] = [];
  for (const m of messages) {
    const { message, detail } = typeof m === 'string' ? { message: m, detail: undefined } : m;
    const newest = list[0];
    if (
      newest &&
      newest.message === message &&
      newest.detail === detail &&
      now - newest.createdAt < duplicateEventWindowMs
    )
      continue;
    const event: ServiceEvent = { id: newId(), createdAt: now, message, ...(detail ? { detail } : {}) };
    added.push(event);
    list = [event, ...list].slice(0, maxServiceEvents);
  }
  return { events: list, added };
}

const message = fc.oneof(
  fc.constantFrom('a', 'b', 'steady'),
  fc.record({ message: fc.constantFrom('a', 'b'), detail: fc.constantFrom('x', 'y', '') }),
);

describe('appendServiceEvents', () => {
  it('a property: the same list and additions as prepending and capping one event at a time', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            message: fc.constantFrom('a', 'b', 'steady'),
            detail: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
            age: fc.constantFrom(0, 1000, duplicateEventWindowMs - 1, duplicateEventWindowMs),
          }),
          { maxLength: maxServiceEvents + 3 },
        ),
        fc.array(message, { maxLength: 6 }),
        (prior, messages) => {
          const now = 10 * duplicateEventWindowMs;
          const events: ServiceEvent[] = prior.map((p, i) => ({
            id: `old-${i}`,
            createdAt: now - p.age,
            message: p.message,
            ...(p.detail ? { detail: p.detail } : {}),
          }));
          let n = 0;
          let m = 0;
          const got = appendServiceEvents(events, messages, now, () => `e${++n}`);
          const want = reference(events, messages, now, () => `e${++m}`);
          expect(got).toEqual(want);
          if (want.added.length === 0) expect(got.events).toBe(events);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
