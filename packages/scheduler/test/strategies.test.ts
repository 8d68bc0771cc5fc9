import type { PlacementStrategy } from '@baton-ecs/model';
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ClusterState, type PlacementRequest, placeTasks, placeTasksLinearScan } from '../src/index.js';
import { ctx, instance, snapshot, task, taskDefinition } from './fixtures.js';

const small = taskDefinition('small', { containers: [{ cpu: 100, memory: 100 }] });
type Strategy = Pick<PlacementStrategy, 'type' | 'field'>;

function place(
  s: ReturnType<typeof snapshot>,
  placementStrategy: Strategy[],
  count: number,
  seed = 1,
  extra: Partial<PlacementRequest> = {},
): string[] {
  const req: PlacementRequest = {
    taskDefinition: small,
    count,
    group: 'service:web',
    placementStrategy,
    ...extra,
  };
  const fast = placeTasks(req, s, ctx(seed));
  expect(placeTasksLinearScan(req, s, ctx(seed))).toEqual(fast);
  if (!isRight(fast)) throw new Error(fast.left.message);
  return fast.right.placements.map((p) => p.ec2InstanceId);
}

const binpack = (field: string): Strategy => ({ type: 'binpack', field });
const spread = (field: string): Strategy => ({ type: 'spread', field });
const random: Strategy = { type: 'random' };

describe('binpack', () => {
  const s = snapshot([
    instance('i-1', { memory: 1000, cpu: 300 }),
    instance('i-2', { memory: 300, cpu: 1000 }),
    instance('i-3', { memory: 500, cpu: 500 }),
  ]);
  it('memory: least remaining memory first, until it is full', () => {
    expect(place(s, [binpack('memory')], 6)).toEqual(['i-2', 'i-2', 'i-2', 'i-3', 'i-3', 'i-3']);
  });
  it('cpu: least remaining CPU first (field is case-insensitive)', () => {
    expect(place(s, [binpack('CPU')], 4)).toEqual(['i-1', 'i-1', 'i-1', 'i-3']);
  });
});

describe('spread', () => {
  it('instanceId and host: fewest tasks of the group first, counting existing ones (and only the group)', () => {
    const s = snapshot(
      [instance('i-1'), instance('i-2'), instance('i-3')],
      [
        task(small, 'i-1', { group: 'service:web' }),
        task(small, 'i-1', { group: 'service:web' }),
        task(small, 'i-3', { group: 'service:web' }),
        task(small, 'i-2', { group: 'service:other' }),
        task(small, 'i-2', { group: 'service:other' }),
      ],
      [small],
    );
    expect(place(s, [spread('instanceId')], 4)).toEqual(['i-2', 'i-2', 'i-3', 'i-1']);
    expect(place(s, [spread('host')], 4)).toEqual(['i-2', 'i-2', 'i-3', 'i-1']);
  });

  it('attribute: evens out the group across values; instances without the attribute form their own bucket', () => {
    const s = snapshot(
      [
        instance('a-1', { zone: 'a' }),
        instance('a-2', { zone: 'a' }),
        instance('b-1', { zone: 'b' }),
        instance('none', {}),
      ],
      [task(small, 'a-1', { group: 'service:web' }), task(small, 'a-2', { group: 'service:web' })],
      [small],
    );
    const placed = place(s, [spread('attribute:ecs.availability-zone')], 4);
    expect(placed.slice(0, 2).sort()).toEqual(['b-1', 'none']);
    const zone = (id: string) => (id === 'none' ? 'none' : id[0]);
    const counts = new Map<string, number>([['a', 2]]);
    for (const id of placed) counts.set(zone(id)!, (counts.get(zone(id)!) ?? 0) + 1);
    expect([...counts.values()].sort()).toEqual([2, 2, 2]);
  });
});

describe('random', () => {
  const s = snapshot([
    instance('i-1', { memory: 1e6, cpu: 1e6 }),
    instance('i-2', { memory: 1e6, cpu: 1e6 }),
    instance('i-3', { memory: 1e6, cpu: 1e6 }),
  ]);
  it('is deterministic for a seed and roughly uniform', () => {
    const a = place(s, [random], 3000, 7);
    expect(place(s, [random], 3000, 7)).toEqual(a);
    expect(place(s, [random], 3000, 8)).not.toEqual(a);
    for (const id of ['i-1', 'i-2', 'i-3']) {
      const n = a.filter((x) => x === id).length;
      expect(n).toBeGreaterThan(850);
      expect(n).toBeLessThan(1150);
    }
  });
  it('never picks an instance that does not fit', () => {
    const tight = snapshot([instance('i-1', { memory: 250 }), instance('i-2', { memory: 1e6 })]);
    const placed = place(tight, [random], 50, 3);
    expect(placed.filter((x) => x === 'i-1').length).toBeLessThanOrEqual(2);
  });
});

describe('chains', () => {
  const zones = snapshot([
    instance('a-1', { zone: 'a', memory: 800 }),
    instance('a-2', { zone: 'a', memory: 400 }),
    instance('b-1', { zone: 'b', memory: 600 }),
    instance('b-2', { zone: 'b', memory: 1000 }),
  ]);

  it('no strategy: spread over availability zones, then instances', () => {
    const placed = place(zones, [], 4);
    expect(placed.sort()).toEqual(['a-1', 'a-2', 'b-1', 'b-2']);
  });

  it('spread(zone) then binpack(memory): alternate zones, least memory within each', () => {
    expect(place(zones, [spread('attribute:ecs.availability-zone'), binpack('memory')], 6)).toEqual([
      'a-2',
      'b-1',
      'a-2',
      'b-1',
      'a-2',
      'b-1',
    ]);
  });

  it('binpack(memory) then spread(zone): the zone breaks ties on memory', () => {
    const tied = snapshot(
      [
        instance('a-0', { zone: 'a', memory: 10_000 }),
        instance('a-1', { zone: 'a', memory: 500 }),
        instance('b-1', { zone: 'b', memory: 500 }),
      ],
      [task(small, 'a-0', { group: 'service:web' })],
      [small],
    );
    // a-1 and b-1 tie on memory; zone b has fewer of the group's tasks. Then b-1 has least memory.
    expect(place(tied, [binpack('memory'), spread('attribute:ecs.availability-zone')], 3)).toEqual([
      'b-1',
      'b-1',
      'b-1',
    ]);
    // without the spread, the tie goes to the first instance
    expect(place(tied, [binpack('memory')], 1)).toEqual(['a-1']);
  });

  it('spread(zone) then spread(type): nested spreads stay balanced on both', () => {
    const s = snapshot(
      ['a', 'b'].flatMap((zone) =>
        ['t3', 'm5', 'c5'].map((type) => instance(`${zone}-${type}`, { zone, type, memory: 1e5, cpu: 1e5 })),
      ),
    );
    const placed = place(
      s,
      [spread('attribute:ecs.availability-zone'), spread('attribute:ecs.instance-type')],
      12,
    );
    const count = (pred: (id: string) => boolean) => placed.filter(pred).length;
    expect(count((id) => id.startsWith('a-'))).toBe(6);
    for (const type of ['t3', 'm5', 'c5']) expect(count((id) => id.endsWith(type))).toBe(4);
  });

  it('spread(zone) then random: balanced zones, random within', () => {
    const placed = place(zones, [spread('attribute:ecs.availability-zone'), random], 8, 11);
    expect(placed.filter((id) => id.startsWith('a-')).length).toBe(4);
    expect(place(zones, [spread('attribute:ecs.availability-zone'), random], 8, 11)).toEqual(placed);
  });

  it('placements in one ClusterState are seen by later calls', () => {
    const state = ClusterState.fromSnapshot(
      snapshot([instance('i-1', { memory: 250 }), instance('i-2', { memory: 250 })]),
    );
    const req: PlacementRequest = {
      taskDefinition: small,
      count: 2,
      group: 'service:a',
      placementStrategy: [binpack('memory')],
    };
    const first = placeTasks(req, state, ctx());
    const second = placeTasks({ ...req, group: 'service:b' }, state, ctx());
    expect(isRight(first) && first.right.placements.map((p) => p.ec2InstanceId)).toEqual(['i-1', 'i-1']);
    expect(isRight(second) && second.right.placements.map((p) => p.ec2InstanceId)).toEqual(['i-2', 'i-2']);
  });
});
