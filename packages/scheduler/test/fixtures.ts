import {
  type ContainerDefinitionInput,
  ContainerInstance,
  type PlacementConstraint,
  Task,
  TaskDefinition,
  type TaskInput,
} from '@baton-ecs/model';
import { type ClusterSnapshot, mulberry32, type PlacementContext } from '../src/index.js';

export const cluster = 'default';
export const instanceArn = (id: string) =>
  `arn:aws:ecs:local:000000000000:container-instance/${cluster}/${id}`;
export const taskDefinitionArn = (family: string) =>
  `arn:aws:ecs:local:000000000000:task-definition/${family}:1`;

export interface InstanceOptions {
  cpu?: number;
  memory?: number;
  zone?: string;
  type?: string;
  status?: ContainerInstance['status'];
  agentConnected?: boolean;
  attributes?: Record<string, string>;
  ports?: string[];
  udpPorts?: string[];
  registeredAt?: number | string;
  agentVersion?: string;
}

export function instance(id: string, o: InstanceOptions = {}): ContainerInstance {
  const attributes: Record<string, string> = {
    ...(o.zone === undefined ? {} : { 'ecs.availability-zone': o.zone }),
    ...(o.type === undefined ? {} : { 'ecs.instance-type': o.type }),
    ...o.attributes,
  };
  return ContainerInstance.parse({
    containerInstanceArn: instanceArn(id),
    ec2InstanceId: id,
    status: o.status ?? 'ACTIVE',
    agentConnected: o.agentConnected ?? true,
    registeredResources: [
      { name: 'CPU', type: 'INTEGER', integerValue: o.cpu ?? 4096 },
      { name: 'MEMORY', type: 'INTEGER', integerValue: o.memory ?? 8192 },
      { name: 'PORTS', type: 'STRINGSET', stringSetValue: o.ports ?? [] },
      { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: o.udpPorts ?? [] },
    ],
    attributes: Object.entries(attributes).map(([name, value]) => ({ name, value })),
    ...(o.registeredAt === undefined ? {} : { registeredAt: o.registeredAt }),
    ...(o.agentVersion === undefined ? {} : { versionInfo: { agentVersion: o.agentVersion } }),
  });
}

export interface TaskDefinitionOptions {
  cpu?: number | string;
  memory?: number | string;
  containers?: Partial<ContainerDefinitionInput>[];
  networkMode?: TaskDefinition['networkMode'];
  placementConstraints?: Pick<PlacementConstraint, 'type' | 'expression'>[];
}

export function taskDefinition(family: string, o: TaskDefinitionOptions = {}): TaskDefinition {
  return TaskDefinition.parse({
    family,
    taskDefinitionArn: taskDefinitionArn(family),
    revision: 1,
    ...(o.cpu === undefined ? {} : { cpu: o.cpu }),
    ...(o.memory === undefined ? {} : { memory: o.memory }),
    ...(o.networkMode === undefined ? {} : { networkMode: o.networkMode }),
    placementConstraints: o.placementConstraints ?? [],
    containerDefinitions: (o.containers ?? [{ cpu: 256, memory: 512 }]).map((c, i) => ({
      name: `c${i}`,
      image: 'busybox',
      ...c,
    })),
  });
}

export interface TaskOptions extends Partial<TaskInput> {
  bindings?: { hostPort: number; protocol?: 'tcp' | 'udp' }[];
}

let taskSequence = 0;
export function task(td: TaskDefinition, instanceId: string | undefined, o: TaskOptions = {}): Task {
  const { bindings, ...rest } = o;
  return Task.parse({
    taskArn: `arn:aws:ecs:local:000000000000:task/${cluster}/t${++taskSequence}`,
    clusterArn: `arn:aws:ecs:local:000000000000:cluster/${cluster}`,
    taskDefinitionArn: td.taskDefinitionArn,
    ...(instanceId === undefined ? {} : { containerInstanceArn: instanceArn(instanceId) }),
    group: `family:${td.family}`,
    desiredStatus: 'RUNNING',
    lastStatus: 'RUNNING',
    containers:
      bindings === undefined
        ? []
        : [{ name: 'c0', networkBindings: bindings.map((b) => ({ containerPort: 80, ...b })) }],
    ...rest,
  });
}

export function snapshot(
  instances: ContainerInstance[],
  tasks: Task[] = [],
  taskDefinitions: TaskDefinition[] = [],
): ClusterSnapshot {
  return {
    instances,
    tasks,
    taskDefinitions: new Map(taskDefinitions.map((td) => [td.taskDefinitionArn!, td])),
  };
}

export const ctx = (seed = 1): PlacementContext => ({ random: mulberry32(seed) });
