import { describe, expect, it } from 'vitest';
import { parseTaskDefinition } from '../src/index.js';
import { bad, lines, ok } from './helpers.js';

/**
 * With task-level memory set, the containers' memory reservations together
 * must fit in it (developer guide, task_definition_parameters.html, task
 * size); refused with the field path `memory`.
 */
const container = (name: string, over: Record<string, unknown>) => ({ name, image: 'busybox', ...over });
const td = (memory: string | number, containers: Record<string, unknown>[]) => ({
  family: 'f',
  memory,
  containerDefinitions: containers,
});

describe('task-level memory and the containers’ reservations', () => {
  it.each([
    // [task memory, containers, accepted]
    ['512', [container('a', { memoryReservation: 256 }), container('b', { memoryReservation: 256 })], true],
    ['512', [container('a', { memoryReservation: 256 }), container('b', { memoryReservation: 257 })], false],
    // a container without memoryReservation reserves its hard limit
    ['512', [container('a', { memory: 300 }), container('b', { memoryReservation: 200 })], true],
    ['512', [container('a', { memory: 300 }), container('b', { memoryReservation: 300 })], false],
    // memoryReservation counts, not the higher hard limit
    [
      '512',
      [container('a', { memory: 500, memoryReservation: 100 }), container('b', { memoryReservation: 400 })],
      true,
    ],
    // containers with neither take from the task's memory and reserve nothing of their own
    ['256', [container('a', {}), container('b', {})], true],
    // the same rule for every form ECS takes: "1 GB", "1GB", "1 gb", 1024 ("Task size": an integer in
    // MiB or a string using GB)
    ['1 GB', [container('a', { memoryReservation: 512 }), container('b', { memoryReservation: 512 })], true],
    ['1 GB', [container('a', { memoryReservation: 512 }), container('b', { memoryReservation: 513 })], false],
    ['1GB', [container('a', { memoryReservation: 1025 })], false],
    [
      '0.5 gb',
      [container('a', { memoryReservation: 300 }), container('b', { memoryReservation: 300 })],
      false,
    ],
    [1024, [container('a', { memoryReservation: 1025 })], false],
  ] as const)('task memory %s: accepted %s', (memory, containers, accepted) => {
    const parsed = parseTaskDefinition(td(memory, [...containers]));
    if (accepted) ok(parsed);
    else {
      expect(lines(bad(parsed))).toContainEqual(
        expect.stringMatching(
          /^memory: must be at least the containers' memory reservations together \(\d+ MiB\)/,
        ),
      );
    }
  });

  it('a container whose hard limit exceeds a "1 GB" task is named, with the task memory in MiB', () => {
    expect(lines(bad(parseTaskDefinition(td('1 GB', [container('a', { memory: 2048 })]))))).toContainEqual(
      "containerDefinitions[0].memory: must not exceed the task's memory (1024) (got 2048)",
    );
  });
});
