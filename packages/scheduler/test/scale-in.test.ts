import type { Task } from '@baton-ecs/model';
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { type ScaleInRequest, selectTasksToStop } from '../src/index.js';
import { ctx, instance, snapshot, task, taskDefinition } from './fixtures.js';

const web = taskDefinition('web', { containers: [{ cpu: 100, memory: 100 }] });
const group = 'service:web';

function stop(tasks: Task[], request: Omit<ScaleInRequest, 'group'>, instances = defaultInstances, seed = 1) {
  const outcome = selectTasksToStop({ group, ...request }, snapshot(instances, tasks, [web]), ctx(seed));
  if (!isRight(outcome)) throw new Error(outcome.left.message);
  return outcome.right;
}

const defaultInstances = [
  instance('a-1', { zone: 'a' }),
  instance('a-2', { zone: 'a' }),
  instance('b-1', { zone: 'b' }),
  instance('c-1', { zone: 'c', memory: 100_000 }),
];
const on = (id: string, extra: Parameters<typeof task>[2] = {}) => task(web, id, { group, ...extra });
const where = (tasks: readonly { containerInstanceArn?: string | undefined }[]) =>
  tasks.map((t) => t.containerInstanceArn?.split('/').pop());

describe('scale-in selection', () => {
  it('default: the zone with most of the service tasks, then the instance with most', () => {
    const tasks = [
      on('a-1'),
      on('a-1'),
      on('a-2'),
      on('b-1'),
      on('c-1'),
      task(web, 'b-1', { group: 'service:other' }),
    ];
    // a (3 tasks) then a-1 (2); then a-1 and a-2 tie and the older task's ARN goes first; then all zones tie.
    expect(where(stop(tasks, { count: 3 }))).toEqual(['a-1', 'a-1', 'a-2']);
  });

  it('keeps zones balanced as it goes', () => {
    const tasks = [on('a-1'), on('a-1'), on('a-2'), on('b-1'), on('b-1'), on('c-1')];
    const zones = where(stop(tasks, { count: 4 })).map((id) => id?.[0]);
    expect(zones.slice(0, 3).sort()).toEqual(['a', 'a', 'b']);
  });

  it('binpack reversed: stops where the most memory remains', () => {
    const tasks = [on('a-1'), on('b-1'), on('c-1'), on('c-1')];
    expect(
      where(stop(tasks, { count: 2, placementStrategy: [{ type: 'binpack', field: 'memory' }] })),
    ).toEqual(['c-1', 'c-1']);
  });

  it('prefers tasks not yet placed, then earlier in their lifecycle, then newer', () => {
    const tasks = [
      on('a-1', { lastStatus: 'RUNNING', createdAt: 1 }),
      on('a-2', { lastStatus: 'RUNNING', createdAt: 2 }),
      on('b-1', { lastStatus: 'PENDING', createdAt: 3 }),
      task(web, undefined, { group, lastStatus: 'PROVISIONING' }),
    ];
    const strategy = [{ type: 'spread' as const, field: 'attribute:none' }];
    const chosen = stop(tasks, { count: 4, placementStrategy: strategy });
    expect(where(chosen)).toEqual([undefined, 'b-1', 'a-2', 'a-1']);
  });

  it('stops only candidates when given, still counting the whole group', () => {
    const old = [on('b-1'), on('c-1')];
    const tasks = [on('a-1'), on('a-2'), ...old];
    const chosen = stop(tasks, { count: 5, candidates: old });
    expect(chosen.map((t) => t.taskArn).sort()).toEqual(old.map((t) => t.taskArn).sort());
  });

  it('ignores tasks already stopping; random is seeded', () => {
    const tasks = [on('a-1', { desiredStatus: 'STOPPED' }), on('a-2'), on('b-1'), on('c-1')];
    const a = stop(tasks, { count: 3, placementStrategy: [{ type: 'random' }] }, defaultInstances, 5);
    expect(a).toHaveLength(3);
    expect(where(a)).not.toContain('a-1');
    expect(stop(tasks, { count: 3, placementStrategy: [{ type: 'random' }] }, defaultInstances, 5)).toEqual(
      a,
    );
  });
});
