import { resourceInteger } from '@baton-ecs/model';
import { isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ClusterState, placeTasks } from '../src/index.js';
import { ctx, instance, instanceArn, snapshot, task, taskDefinition } from './fixtures.js';

const td = taskDefinition('web', { containers: [{ cpu: 256, memory: 256 }] });
const memberOf = (expression: string) => [{ type: 'memberOf' as const, expression }];

describe('ClusterState reuse', () => {
  it('records placements under the given task ARNs, so the created tasks replace them', () => {
    const state = ClusterState.fromSnapshot(snapshot([instance('i-1', { cpu: 1024 })], [], [td]));
    const cpu = () => resourceInteger(state.remainingResources(instanceArn('i-1'))!, 'CPU');
    const arns = ['arn:t/a', 'arn:t/b'];
    placeTasks({ taskDefinition: td, count: 2, group: 'service:web', taskArns: arns }, state, ctx());
    expect(cpu()).toBe(512);
    for (const taskArn of arns) state.upsertTask({ ...task(td, 'i-1', { group: 'service:web' }), taskArn });
    expect(cpu()).toBe(512);
    state.removeTask('arn:t/a');
    expect(cpu()).toBe(768);
  });

  it('re-reads instance facts on upsertInstance (status, attributes), keeping what tasks hold', () => {
    const state = ClusterState.fromSnapshot(
      snapshot([instance('i-1', { type: 't3.small' })], [task(td, 'i-1')], [td]),
    );
    const place = () =>
      placeTasks(
        {
          taskDefinition: td,
          count: 1,
          group: 'service:web',
          placementConstraints: memberOf('attribute:ecs.instance-type == m5.large'),
        },
        state,
        ctx(),
      );
    expect(isRight(place())).toBe(false);
    state.upsertInstance(instance('i-1', { type: 'm5.large' }));
    expect(isRight(place())).toBe(true);
    expect(resourceInteger(state.remainingResources(instanceArn('i-1'))!, 'CPU')).toBe(4096 - 512);
    state.upsertInstance(instance('i-1', { type: 'm5.large', status: 'DRAINING' }));
    expect(isRight(place())).toBe(false);
    state.upsertInstance(instance('i-2', { type: 'm5.large' }));
    const outcome = place();
    expect(isRight(outcome) && outcome.right.placements[0]?.ec2InstanceId).toBe('i-2');
  });

  it('keeps port holders in step as tasks come and go', () => {
    const fixed = taskDefinition('fixed', {
      containers: [{ cpu: 1, memory: 6, portMappings: [{ containerPort: 80, hostPort: 8080 }] }],
    });
    const state = ClusterState.fromSnapshot(snapshot([instance('i-1')], [], [fixed]));
    const placeOne = () =>
      placeTasks({ taskDefinition: fixed, count: 1, group: 'service:web' }, state, ctx());
    const t = task(fixed, 'i-1');
    state.upsertTask(t);
    expect(isRight(placeOne())).toBe(false);
    state.upsertTask({ ...t, lastStatus: 'STOPPED' });
    expect(isRight(placeOne())).toBe(true);
    expect(isRight(placeOne())).toBe(false);
  });
});
