import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ClusterState, ECS_RESERVED_TCP_PORTS, placeTasks } from '../src/index.js';
import { ctx, instance, snapshot, taskDefinition } from './fixtures.js';

/** Placement limits across sources and ECS's reserved ports (issue 15, rules 6 and 7). */
const memberOf = (i: number) => ({ type: 'memberOf' as const, expression: `attribute:a${i} !exists` });

describe('placement limits count every source (task-placement-constraints.html)', () => {
  const state = () => ClusterState.fromSnapshot(snapshot([instance('i-1')]));
  it.each([
    // [task definition's constraints, the request's, strategies, accepted]
    [0, 10, 0, true],
    [5, 5, 5, true],
    [10, 0, 0, true],
    [6, 5, 0, false],
    [1, 10, 0, false],
    [0, 0, 6, false],
  ])(
    '%i from the task definition + %i from the request, %i strategies: accepted %s',
    (fromTd, fromRequest, strategies, ok) => {
      const td = taskDefinition('web', {
        placementConstraints: Array.from({ length: fromTd }, (_, i) => memberOf(i)),
      });
      const result = placeTasks(
        {
          taskDefinition: td,
          count: 1,
          group: 'family:web',
          placementConstraints: Array.from({ length: fromRequest }, (_, i) => memberOf(100 + i)),
          placementStrategy: Array.from({ length: strategies }, () => ({ type: 'random' as const })),
        },
        state(),
        ctx(),
      );
      expect(isRight(result)).toBe(ok);
      if (!ok && isLeft(result)) {
        expect(result.left.type).toBe('InvalidPlacementRequest');
        expect(result.left.message).toMatch(
          /at most (10 placement constraints in total|5 placement strategies)/,
        );
      }
    },
  );
});

describe('reserved ports (ECS_RESERVED_PORTS: 22, 2375, 2376, 51678, 51679, 51680)', () => {
  it.each([22, 2375, 2376, 51678, 51679, 51680])('a task that needs host port %i is never placed', (port) => {
    expect(ECS_RESERVED_TCP_PORTS).toContain(port);
    const td = taskDefinition('web', {
      containers: [{ cpu: 128, memory: 128, portMappings: [{ containerPort: 80, hostPort: port }] }],
    });
    const result = placeTasks(
      { taskDefinition: td, count: 1, group: 'family:web' },
      ClusterState.fromSnapshot(snapshot([instance('i-1')])),
      ctx(),
    );
    const placed = isRight(result) ? result.right.placements.length : 0;
    expect(placed).toBe(0);
  });

  it('ports an instance declares are reserved too; others are free', () => {
    const td = (port: number) =>
      taskDefinition('web', {
        containers: [{ cpu: 128, memory: 128, portMappings: [{ containerPort: 80, hostPort: port }] }],
      });
    const state = ClusterState.fromSnapshot(snapshot([instance('i-1', { ports: ['8080'] })]));
    const on = (port: number) => {
      const r = placeTasks({ taskDefinition: td(port), count: 1, group: 'family:web' }, state, ctx());
      return isRight(r) ? r.right.placements.length : 0;
    };
    expect(on(8080)).toBe(0);
    expect(on(8081)).toBe(1);
  });
});
