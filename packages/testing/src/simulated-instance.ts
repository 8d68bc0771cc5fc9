import { type ArnContext, arns, type ContainerInstance, defaultArnContext } from '@baton-ecs/model';

/** A container instance of the simulated cluster. */
export interface SimulatedInstance {
  readonly id: string;
  /** `ecs.availability-zone`. */
  readonly zone?: string;
  /** `ecs.instance-type`. */
  readonly instanceType?: string;
  /** CPU units (1024 per core). Default 2048. */
  readonly cpu?: number;
  /** MiB. Default 4096. */
  readonly memory?: number;
  /** More attributes, for memberOf constraints. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export function containerInstanceOf(
  spec: SimulatedInstance,
  cluster: string,
  registeredAt: number,
  arn: ArnContext = defaultArnContext,
): ContainerInstance {
  const attributes = [
    { name: 'ecs.os-type', value: 'linux' },
    { name: 'ecs.os-family', value: 'LINUX' },
    ...(spec.zone ? [{ name: 'ecs.availability-zone', value: spec.zone }] : []),
    ...(spec.instanceType ? [{ name: 'ecs.instance-type', value: spec.instanceType }] : []),
    ...Object.entries(spec.attributes ?? {}).map(([name, value]) => ({ name, value })),
  ];
  const resources = [
    { name: 'CPU', type: 'INTEGER' as const, integerValue: spec.cpu ?? 2048 },
    { name: 'MEMORY', type: 'INTEGER' as const, integerValue: spec.memory ?? 4096 },
    {
      name: 'PORTS',
      type: 'STRINGSET' as const,
      stringSetValue: ['22', '2375', '2376', '51678', '51679', '51680'],
    },
    { name: 'PORTS_UDP', type: 'STRINGSET' as const, stringSetValue: [] },
  ];
  return {
    containerInstanceArn: arns.containerInstance(cluster, spec.id, arn),
    ec2InstanceId: spec.id,
    status: 'ACTIVE',
    agentConnected: true,
    registeredResources: resources,
    remainingResources: resources,
    attributes,
    runningTasksCount: 0,
    pendingTasksCount: 0,
    registeredAt,
    tags: [],
  };
}
