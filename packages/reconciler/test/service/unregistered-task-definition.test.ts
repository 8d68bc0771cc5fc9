// reconcileService plans tasks of registered task definitions only. Given one as parsed (no ARN, no
// revision), it used to plan tasks with `taskDefinitionArn: undefined`; now it refuses, naming the field.
import { arns, type Service, type TaskDefinition } from '@baton-ecs/model';
import { mulberry32, type SchedulerInstance } from '@baton-ecs/scheduler';
import { describe, expect, it } from 'vitest';
import { ReconcileInputError, reconcileService } from '../../src/index.js';

const now = Date.UTC(2026, 0, 1);
const registered: TaskDefinition = {
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
      memory: 8,
      essential: true,
      portMappings: [],
      environment: [],
      stopTimeout: 30,
    },
  ] as TaskDefinition['containerDefinitions'],
};
const { taskDefinitionArn: _arn, revision: _revision, ...parsedOnly } = registered;

const instance: SchedulerInstance = {
  containerInstanceArn: arns.containerInstance('c', 'i-1'),
  ec2InstanceId: 'i-1',
  status: 'ACTIVE',
  agentConnected: true,
  registeredResources: [
    { name: 'CPU', type: 'INTEGER', integerValue: 1024 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: 1024 },
  ],
  attributes: [{ name: 'ecs.availability-zone', value: 'az-1' }],
};

const service = {
  serviceName: 'web',
  cluster: 'c',
  serviceArn: arns.service('c', 'web'),
  taskDefinition: 'web',
  desiredCount: 2,
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
} as unknown as Service;

const plan = (taskDefinitions: ReadonlyMap<string, TaskDefinition>) =>
  reconcileService(
    {
      service,
      taskDefinitions,
      tasks: [],
      cluster: { instances: [instance], tasks: [], taskDefinitions: new Map() },
    },
    { now, random: mulberry32(1) },
  );

describe('reconcileService and unregistered task definitions', () => {
  it('plans tasks that carry the registered definition’s ARN', () => {
    const p = plan(new Map([[registered.taskDefinitionArn!, registered]]));
    expect(p.startTasks).toHaveLength(2);
    for (const t of p.startTasks) expect(t.taskDefinitionArn).toBe(registered.taskDefinitionArn);
  });

  it('refuses a task definition that was parsed but never registered, naming the field', () => {
    const unregistered = parsedOnly as TaskDefinition;
    for (const key of [undefined as unknown as string, 'web']) {
      const call = () => plan(new Map([[key, unregistered]]));
      expect(call).toThrow(ReconcileInputError);
      expect(call).toThrow(/taskDefinitions.*taskDefinitionArn.*register/);
    }
  });

  it('refuses a map whose key is not the definition’s own ARN', () => {
    const call = () => plan(new Map([[arns.taskDefinition('web', 7), registered]]));
    expect(call).toThrow(ReconcileInputError);
  });
});
