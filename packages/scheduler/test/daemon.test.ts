import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { ClusterState, placeDaemonTasks } from '../src/index.js';
import { instance, snapshot, task, taskDefinition } from './fixtures.js';

const agent = taskDefinition('agent', {
  containers: [{ cpu: 128, memory: 256, portMappings: [{ containerPort: 9100, hostPort: 9100 }] }],
});
const group = 'service:node-exporter';

describe('DAEMON placement', () => {
  // Every instance says its ecs.os-type, as ECS's do: `!=` selects only instances that have the attribute.
  const linux = { attributes: { 'ecs.os-type': 'linux' } };
  const instances = [
    instance('i-new', linux),
    instance('i-has', linux),
    instance('i-draining', { status: 'DRAINING', ...linux }),
    instance('i-windows', { attributes: { 'ecs.os-type': 'windows' } }),
    instance('i-full', { memory: 100, ...linux }),
    instance('i-port', { ports: ['9100'], ...linux }),
    instance('i-offline', { agentConnected: false, ...linux }),
  ];
  const s = snapshot(instances, [task(agent, 'i-has', { group })], [agent]);
  const request = {
    taskDefinition: agent,
    group,
    placementConstraints: [{ type: 'memberOf' as const, expression: 'attribute:ecs.os-type != windows' }],
  };

  it('places exactly one task on each eligible instance and reports where it cannot fit', () => {
    const outcome = placeDaemonTasks(request, s);
    if (!isRight(outcome)) throw new Error(outcome.left.message);
    const { placements, alreadyRunning, unplaceable, ineligible } = outcome.right;
    expect(placements.map((p) => p.ec2InstanceId)).toEqual(['i-new']);
    expect(alreadyRunning.map((p) => p.ec2InstanceId)).toEqual(['i-has']);
    expect(unplaceable.map((u) => [u.ec2InstanceId, u.filter])).toEqual([
      ['i-full', 'memory'],
      ['i-port', 'ports'],
      ['i-offline', 'agent'],
    ]);
    expect(unplaceable[0]?.message).toBe(
      'unable to place a task because container-instance i-full has insufficient memory available.',
    );
    expect(ineligible).toEqual([
      { filter: 'status', instanceCount: 1 },
      { filter: 'memberOf', detail: 'attribute:ecs.os-type != windows', instanceCount: 1 },
    ]);
  });

  it('records its placements in a ClusterState, so a second pass places nothing new', () => {
    const state = ClusterState.fromSnapshot(s);
    placeDaemonTasks(request, state);
    const again = placeDaemonTasks(request, state);
    expect(isRight(again) && again.right.placements).toEqual([]);
    expect(isRight(again) && again.right.alreadyRunning.map((p) => p.ec2InstanceId)).toEqual([
      'i-new',
      'i-has',
    ]);
  });

  it('rejects a bad constraint', () => {
    const bad = placeDaemonTasks(
      { ...request, placementConstraints: [{ type: 'memberOf', expression: '(' }] },
      s,
    );
    expect(isLeft(bad) && bad.left.type).toBe('InvalidPlacementRequest');
  });
});
