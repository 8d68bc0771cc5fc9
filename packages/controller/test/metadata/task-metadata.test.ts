import { arns, type Task, type TaskDefinition } from '@baton-ecs/model';
import type { ObservedContainer } from '@baton-ecs/reconciler';
import { describe, expect, it } from 'vitest';
import { containerMetadata, taskMetadata } from '../../src/metadata/task-metadata.js';

const td: TaskDefinition = {
  family: 'web',
  revision: 3,
  taskDefinitionArn: arns.taskDefinition('web', 3),
  networkMode: 'awsvpc',
  cpu: '512',
  memory: '1024',
  containerDefinitions: [
    {
      name: 'app',
      image: 'app:1',
      cpu: 128,
      memory: 256,
      essential: true,
      portMappings: [{ containerPort: 80, protocol: 'tcp' }],
      environment: [],
      stopTimeout: 30,
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web' } },
    },
  ],
  placementConstraints: [],
  tags: [],
  status: 'ACTIVE',
};
const taskArn = arns.task('prod', 'abc');
const task: Task = {
  taskArn,
  clusterArn: arns.cluster('prod'),
  taskDefinitionArn: td.taskDefinitionArn ?? '',
  containerInstanceArn: arns.containerInstance('prod', 'i-1'),
  group: 'service:web',
  launchType: 'EC2',
  overrides: { containerOverrides: [] },
  desiredStatus: 'RUNNING',
  lastStatus: 'RUNNING',
  healthStatus: 'UNKNOWN',
  pullStartedAt: Date.UTC(2024, 0, 1),
  containers: [
    {
      name: 'app',
      runtimeId: 'c1',
      lastStatus: 'RUNNING',
      healthStatus: 'UNKNOWN',
      networkBindings: [{ bindIP: '127.0.0.1', containerPort: 80, hostPort: 32768, protocol: 'tcp' }],
    },
  ],
  tags: [],
};
const observed = (id: string, over: Partial<ObservedContainer> = {}): ObservedContainer => ({
  id,
  name: `baton-prod-abc-${id}`,
  labels: { 'com.baton.task-arn': taskArn },
  image: 'app:1',
  imageId: 'sha256:1',
  state: 'running',
  startedAt: Date.UTC(2024, 0, 1, 0, 0, 5),
  health: 'none',
  portBindings: [],
  ...over,
});
const pause = observed('p', {
  networks: [
    {
      name: 'baton-subnet-a',
      ipAddress: '172.30.0.2',
      macAddress: '02:42:ac:1e:00:02',
      gateway: '172.30.0.1',
      prefixLength: 24,
    },
  ],
});
const net = { mode: 'awsvpc' as const, dockerNetwork: 'baton-subnet-a', namespaceOwner: pause };
const app = {
  name: 'app',
  def: td.containerDefinitions[0],
  record: task.containers[0],
  observed: observed('c1'),
};

describe('task metadata v4 shapes', () => {
  it('a container: ids, limits, log options, ports and the task’s awsvpc address', () => {
    expect(containerMetadata(task, td, app, net)).toEqual({
      DockerId: 'c1',
      Name: 'app',
      DockerName: 'baton-prod-abc-c1',
      Image: 'app:1',
      ImageID: 'sha256:1',
      Ports: [{ ContainerPort: 80, Protocol: 'tcp', HostPort: 32768, HostIp: '127.0.0.1' }],
      Labels: { 'com.baton.task-arn': taskArn },
      DesiredStatus: 'RUNNING',
      KnownStatus: 'RUNNING',
      Limits: { CPU: 128, Memory: 256 },
      StartedAt: '2024-01-01T00:00:05.000Z',
      Type: 'NORMAL',
      LogDriver: 'awslogs',
      LogOptions: { 'awslogs-group': '/ecs/web' },
      ContainerARN: `${taskArn.replace(':task/', ':container/')}/app`,
      Networks: [
        {
          NetworkMode: 'awsvpc',
          IPv4Addresses: ['172.30.0.2'],
          AttachmentIndex: 0,
          MACAddress: '02:42:ac:1e:00:02',
          IPv4SubnetCIDRBlock: '172.30.0.0/24',
          PrivateDNSName: 'ip-172-30-0-2.baton.internal',
          SubnetGatewayIpv4Address: '172.30.0.1/24',
        },
      ],
    });
  });

  it('the task: cluster, family, revision, service, limits in vCPU and MiB, the pause container as CNI_PAUSE', () => {
    const t = taskMetadata(task, td, [{ name: '~internal~ecs~pause', observed: pause }, app], net);
    expect(t).toMatchObject({
      Cluster: 'prod',
      TaskARN: taskArn,
      Family: 'web',
      ServiceName: 'web',
      Revision: '3',
      DesiredStatus: 'RUNNING',
      KnownStatus: 'RUNNING',
      Limits: { CPU: 0.5, Memory: 1024 },
      PullStartedAt: '2024-01-01T00:00:00.000Z',
      LaunchType: 'EC2',
    });
    const containers = t.Containers as Record<string, unknown>[];
    expect(containers[0]).toMatchObject({
      Name: '~internal~ecs~pause',
      Type: 'CNI_PAUSE',
      KnownStatus: 'RESOURCES_PROVISIONED',
    });
    expect(containers[0]).not.toHaveProperty('ContainerARN');
  });

  it('a bridge container’s own address; host mode names the mode only', () => {
    const bridged = {
      ...app,
      observed: observed('c1', { networks: [{ name: 'bridge', ipAddress: '172.29.1.5', macAddress: 'x' }] }),
    };
    const bridgeTd = { ...td, networkMode: 'bridge' as const };
    expect(
      containerMetadata(task, bridgeTd, bridged, { mode: 'bridge', dockerNetwork: 'bridge' }).Networks,
    ).toEqual([{ NetworkMode: 'bridge', IPv4Addresses: ['172.29.1.5'] }]);
    expect(containerMetadata(task, bridgeTd, bridged, { mode: 'host' }).Networks).toEqual([
      { NetworkMode: 'host' },
    ]);
  });
});
