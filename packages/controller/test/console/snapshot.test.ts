import {
  type Cluster,
  type ContainerInstance,
  parseCluster,
  parseContainerInstance,
  parseService,
  parseTask,
  type Service,
  type Task,
} from '@baton-ecs/model';
import { isLeft } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { consoleSnapshot, type ScalingActivityInput } from '../../src/console/snapshot.js';

const acct = 'arn:aws:ecs:us-east-1:000000000000';
/** The parsed value, or the parser's message as a thrown error. */
function parsed<T>(
  r: { _tag: 'Left'; left: { message: string } } | { _tag: 'Right'; right: { value: unknown } },
): T {
  if (isLeft(r)) throw new Error(r.left.message);
  return r.right.value as T;
}
const cluster = (name: string, status = 'ACTIVE'): Cluster =>
  ({ ...parsed<Cluster>(parseCluster({ clusterName: name })), status }) as Cluster;
const instance = (
  id: string,
  clusterName: string,
  over: Partial<ContainerInstance> = {},
): ContainerInstance => ({
  ...parsed<ContainerInstance>(
    parseContainerInstance({
      containerInstanceArn: `${acct}:container-instance/${clusterName}/${id}`,
      ec2InstanceId: id,
      status: 'ACTIVE',
      agentConnected: true,
      registeredResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 },
      ],
      remainingResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: 1536 },
        { name: 'MEMORY', type: 'INTEGER', integerValue: 3072 },
      ],
      attributes: [{ name: 'ecs.availability-zone', value: 'az-1' }],
      runningTasksCount: 2,
      pendingTasksCount: 1,
    }),
  ),
  ...over,
});
const service = (name: string, clusterName: string, over: Record<string, unknown> = {}): Service =>
  parsed<Service>(
    parseService({
      serviceName: name,
      cluster: clusterName,
      taskDefinition: `${acct}:task-definition/${name}:2`,
      desiredCount: 3,
      runningCount: 1,
      pendingCount: 0,
      ...over,
    }),
  );
const task = (id: string, clusterName: string, over: Record<string, unknown> = {}): Task =>
  parsed<Task>(
    parseTask({
      taskArn: `${acct}:task/${clusterName}/${id}`,
      clusterArn: `${acct}:cluster/${clusterName}`,
      taskDefinitionArn: `${acct}:task-definition/web:2`,
      containerInstanceArn: `${acct}:container-instance/${clusterName}/i-1`,
      group: 'service:web',
      desiredStatus: 'RUNNING',
      lastStatus: 'RUNNING',
      containers: [
        {
          name: 'app',
          lastStatus: 'RUNNING',
          networkBindings: [{ bindIP: '127.0.0.1', hostPort: 32768, containerPort: 8080, protocol: 'tcp' }],
        },
      ],
      ...over,
    }),
  );

describe('consoleSnapshot (pure: the caches’ objects in, the page’s picture out)', () => {
  const base = {
    now: 1_000_000,
    clusters: [cluster('prod'), cluster('old', 'INACTIVE'), cluster('dev')],
    instances: [instance('i-1', 'prod'), instance('i-2', 'prod', { status: 'INACTIVE' })],
    usage: new Map([[`${acct}:container-instance/prod/i-1`, { cpuUnits: 100, memoryMiB: 300 }]]),
  };

  it('lists ACTIVE clusters by name with their instances’ registered, reserved and used resources', () => {
    const snap = consoleSnapshot({ ...base, services: [], tasks: [] });
    expect(snap.at).toBe(1_000_000);
    expect(snap.clusters.map((c) => c.name)).toEqual(['dev', 'prod']);
    const prod = snap.clusters[1]!;
    expect(prod.instances).toHaveLength(1);
    expect(prod.instances[0]).toMatchObject({
      id: 'i-1',
      zone: 'az-1',
      cpu: { registered: 2048, reserved: 512, used: 100 },
      memory: { registered: 4096, reserved: 1024, used: 300 },
      runningTasks: 2,
      pendingTasks: 1,
    });
    expect(snap.clusters[0]!.instances).toEqual([]);
  });

  it('says why a short service is not placed, only while its latest event says so', () => {
    const unplacedMessage =
      '(service web) was unable to place a task because no container instance met all of its requirements.';
    const short = service('web', 'prod', {
      events: [{ id: 'e2', createdAt: 5, message: unplacedMessage }],
    });
    const recovered = service('api', 'prod', {
      runningCount: 3,
      events: [{ id: 'e1', createdAt: 5, message: unplacedMessage }],
    });
    const snap = consoleSnapshot({ ...base, services: [short, recovered], tasks: [] });
    const [api, web] = snap.clusters[1]!.services;
    expect([api!.name, web!.name]).toEqual(['api', 'web']);
    expect(web!.unplaced).toBe(unplacedMessage);
    expect(api!.unplaced).toBeNull();
    expect(web!.taskDefinition).toBe('web:2');
    expect(web!.events[0]).toMatchObject({
      id: 'e2',
      cluster: 'prod',
      service: 'web',
      message: unplacedMessage,
    });
  });

  it('shows the breaker only when enabled, with the PRIMARY’s failures against its threshold', () => {
    const deployment = {
      id: 'ecs-svc/1',
      status: 'PRIMARY',
      taskDefinition: `${acct}:task-definition/web:2`,
      desiredCount: 3,
      failedTasks: 2,
      createdAt: 1,
      updatedAt: 1,
      rolloutState: 'FAILED',
    };
    const withBreaker = service('web', 'prod', {
      deployments: [deployment],
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
    });
    const without = service('api', 'prod', { deployments: [deployment] });
    const [api, web] = consoleSnapshot({ ...base, services: [withBreaker, without], tasks: [] }).clusters[1]!
      .services;
    expect(api!.breaker).toBeNull();
    expect(web!.breaker).toEqual({ rollback: true, failures: 2, threshold: 3, tripped: true });
    expect(web!.deployments[0]).toMatchObject({
      id: 'ecs-svc/1',
      status: 'PRIMARY',
      failed: 2,
      taskDefinition: 'web:2',
    });
  });

  it('lists live tasks, then the newest stopped ones up to the limit, with ports and stop reasons', () => {
    const tasks = [
      task('live1', 'prod'),
      task('old', 'prod', {
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stoppedAt: 1_700_000_010_000,
        stopCode: 'UserInitiated',
        stoppedReason: 'old',
      }),
      task('new', 'prod', {
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stoppedAt: 1_700_000_020_000,
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'exit 3',
      }),
      task('elsewhere', 'dev'),
    ];
    const snap = consoleSnapshot({ ...base, services: [], tasks, stoppedTasksPerCluster: 1 });
    const prod = snap.clusters[1]!.tasks;
    expect(prod.map((t) => t.id)).toEqual(['live1', 'new']);
    expect(prod[0]).toMatchObject({
      instanceId: 'i-1',
      ports: ['127.0.0.1:32768→8080/tcp'],
      group: 'service:web',
    });
    expect(prod[1]).toMatchObject({
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'exit 3',
      stoppedAt: 1_700_000_020_000,
    });
    expect(snap.clusters[0]!.tasks.map((t) => t.id)).toEqual(['elsewhere']);
  });

  it('carries each service’s scaling activities, newest first, the last few', () => {
    const activity = (n: number): ScalingActivityInput => ({
      ActivityId: `a-${n}`,
      Description: `Setting desired count to ${n}.`,
      Cause: `monitor alarm cpu-high in state ALARM triggered policy cpu`,
      StartTime: 100 + n,
      StatusCode: n === 7 ? 'Failed' : 'Successful',
      ...(n === 7 ? { StatusMessage: 'Failed to set desired count' } : {}),
    });
    const snap = consoleSnapshot({
      ...base,
      services: [service('web', 'prod'), service('api', 'prod')],
      tasks: [],
      scalingActivities: new Map([['prod/web', [7, 6, 5, 4].map(activity)]]),
      activitiesPerService: 3,
    });
    const [api, web] = snap.clusters[1]!.services;
    expect(api!.scaling).toEqual([]);
    expect(web!.scaling.map((a) => a.id)).toEqual(['a-7', 'a-6', 'a-5']);
    expect(web!.scaling[0]).toEqual({
      id: 'a-7',
      at: 107,
      description: 'Setting desired count to 7.',
      cause: 'monitor alarm cpu-high in state ALARM triggered policy cpu',
      status: 'Failed',
      statusMessage: 'Failed to set desired count',
    });
    expect(web!.scaling[1]!.statusMessage).toBeNull();
  });
});
