// What a new user's program does with Baton installed from the registry (the consumer test,
// scripts/consumer-test.mjs, compiles this against the packed tarballs and runs it in plain Node):
// a pure placement, a simulated rollout, and createBaton with no engines.
import assert from 'node:assert/strict';
import { TaskDefinition } from '@baton-ecs/model';
import { ClusterState, mulberry32, placeTasks, type SchedulerInstance } from '@baton-ecs/scheduler';
import { Simulation } from '@baton-ecs/testing';
import { createBaton } from 'baton-ecs';
import { isRight } from 'fp-ts/lib/Either.js';

// A pure placement: three tasks spread over two zones.
const web = TaskDefinition.parse({
  family: 'web',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/web:1',
  containerDefinitions: [{ name: 'web', image: 'web:1', memory: 256 }],
});
const instances: SchedulerInstance[] = ['a', 'b'].map((id, i) => ({
  containerInstanceArn: `arn:aws:ecs:us-east-1:000000000000:container-instance/consumer/${id}`,
  ec2InstanceId: id,
  status: 'ACTIVE',
  agentConnected: true,
  registeredResources: [
    { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 },
  ],
  attributes: [{ name: 'ecs.availability-zone', value: `zone-${i + 1}` }],
}));
const state = ClusterState.fromSnapshot({ instances, tasks: [], taskDefinitions: new Map() });
const placed = placeTasks(
  {
    taskDefinition: web,
    count: 3,
    group: 'service:web',
    placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
  },
  state,
  { random: mulberry32(1) },
);
assert.ok(isRight(placed), 'placement failed');
assert.equal(placed.right.placements.length, 3);
assert.equal(new Set(placed.right.placements.map((p) => p.containerInstanceArn)).size, 2);

// The simulator: a service reaches steady state, then rolls out without dropping below its count.
const sim = new Simulation({
  seed: 1,
  instances: [
    { id: 'a', zone: 'az-1' },
    { id: 'b', zone: 'az-2' },
  ],
});
const webTd = (tag: string) => ({
  family: 'web',
  containerDefinitions: [{ name: 'web', image: `web:${tag}`, memory: 256 }],
});
await sim.registerTaskDefinition(webTd('1'));
await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 2 });
assert.ok(await sim.runUntilSteady('web'), 'simulated service never reached a steady state');
assert.equal(sim.healthyTasks('web').length, 2);

// createBaton with no engines: the ECS API over the store, no Docker loaded.
const baton = await createBaton({ cluster: 'consumer' });
await baton.start();
try {
  await baton.registerTaskDefinition(webTd('1'));
  await baton.createService({
    cluster: 'consumer',
    serviceName: 'web',
    taskDefinition: 'web',
    desiredCount: 1,
  });
  const { services } = await baton.describeServices({ cluster: 'consumer', services: ['web'] });
  assert.equal(services[0]?.serviceName, 'web');
  assert.equal(services[0]?.desiredCount, 1);
} finally {
  await baton.stop();
}

console.log('consumer: placement, simulation and createBaton work');
