import { arns, type Service, type TaskDefinition } from '@baton-ecs/model';
import { mulberry32, type SchedulerInstance } from '@baton-ecs/scheduler';
import { describe, expect, it } from 'vitest';
import { defaultLaunchBatchSize, reconcileService } from '../../src/index.js';

const now = Date.UTC(2026, 0, 1);
const td: TaskDefinition = {
  family: 'web',
  revision: 1,
  taskDefinitionArn: arns.taskDefinition('web', 1),
  status: 'ACTIVE',
  networkMode: 'bridge',
  placementConstraints: [],
  tags: [],
  containerDefinitions: [
    {
      name: 'web',
      image: 'busybox',
      cpu: 0,
      memory: 1,
      essential: true,
      portMappings: [],
      environment: [],
      stopTimeout: 30,
    },
  ] as TaskDefinition['containerDefinitions'],
};

function instance(id: string): SchedulerInstance {
  return {
    containerInstanceArn: arns.containerInstance('big', id),
    ec2InstanceId: id,
    status: 'ACTIVE',
    agentConnected: true,
    registeredResources: [
      { name: 'CPU', type: 'INTEGER', integerValue: 1 << 30 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: 1 << 30 },
    ],
    attributes: [{ name: 'ecs.availability-zone', value: 'az-1' }],
  };
}

function service(desiredCount: number): Service {
  return {
    serviceName: 'huge',
    cluster: 'big',
    serviceArn: arns.service('big', 'huge'),
    taskDefinition: td.taskDefinitionArn!,
    desiredCount,
    schedulingStrategy: 'REPLICA',
    launchType: 'EC2',
    deploymentConfiguration: {
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    },
    placementConstraints: [],
    placementStrategy: [],
    loadBalancers: [],
    status: 'ACTIVE',
    runningCount: 0,
    pendingCount: 0,
    deployments: [],
    events: [],
    tags: [],
    createdAt: now,
  } as Service;
}

describe('a pass places a bounded batch of tasks, whatever desiredCount says', () => {
  it('1,000,000 desired: one pass starts defaultLaunchBatchSize tasks, quickly', () => {
    const started = performance.now();
    const plan = reconcileService(
      {
        service: service(1_000_000),
        taskDefinitions: new Map([[td.taskDefinitionArn!, td]]),
        tasks: [],
        cluster: { instances: [instance('i-1'), instance('i-2')], tasks: [], taskDefinitions: new Map() },
      },
      { now, random: mulberry32(1) },
    );
    const ms = performance.now() - started;
    expect(plan.startTasks).toHaveLength(defaultLaunchBatchSize);
    // Before the bound the pass built an id and an ARN for the whole shortfall: seconds, then out of memory.
    expect(ms).toBeLessThan(2_000);
  });

  it('the batch size is a parameter of the pure reconciler', () => {
    const plan = reconcileService(
      {
        service: service(50),
        taskDefinitions: new Map([[td.taskDefinitionArn!, td]]),
        tasks: [],
        cluster: { instances: [instance('i-1')], tasks: [], taskDefinitions: new Map() },
      },
      { now, random: mulberry32(1), launchBatchSize: 7 },
    );
    expect(plan.startTasks).toHaveLength(7);
  });
});
