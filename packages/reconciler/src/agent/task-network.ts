import {
  type Attachment,
  type ContainerDefinition,
  type NetworkInterface,
  type Task,
  type TaskDefinition,
  taskSubnetId,
} from '@baton-ecs/model';
import { defaultSubnetId, eniAttachment } from '../service/new-task.js';
import type { ContainerView } from './container-view.js';
import { containerEngineName, containerLabels, taskIdOf } from './labels.js';
import { containerPortSpecs } from './port-mappings.js';
import type { ContainerPortSpec, ContainerSpec, ObservedContainer } from './types.js';

/**
 * The task's namespace container, as ECS's agent names its pause container. It holds the network
 * namespace of an awsvpc task (and the pid/ipc namespaces of a task with `pidMode`/`ipcMode` `task`);
 * the task's containers join it, so they reach each other on localhost.
 */
export const pauseContainerName = '~internal~ecs~pause';

/** Label and prefix of the Docker networks that stand in for awsvpc subnets. */
export const subnetNetworkLabel = 'com.baton.subnet-id';

const unsafe = /[^A-Za-z0-9_.-]/g;

/** The engine network of a subnet id: one Docker network per subnet, shared by the tasks in it. */
export function subnetNetworkName(subnetId: string): string {
  return `baton-subnet-${subnetId}`.replace(unsafe, '_');
}

type NamespaceModes = Pick<TaskDefinition, 'networkMode' | 'pidMode' | 'ipcMode'>;

/** Whether a task runs a pause container: awsvpc, or a pid/ipc namespace shared by the task. */
export function needsPauseContainer(td: NamespaceModes): boolean {
  return td.networkMode === 'awsvpc' || td.pidMode === 'task' || td.ipcMode === 'task';
}

export function isPauseContainer(name: string): boolean {
  return name === pauseContainerName;
}

/**
 * The task's containers with the pause container first when the task needs one: it is essential
 * (the task's namespaces die with it), every other container waits for it to start and, through
 * that dependency, stops before it.
 */
export function withPauseContainer(
  td: NamespaceModes,
  defs: readonly ContainerDefinition[],
  pauseImage: string,
): ContainerDefinition[] {
  if (!needsPauseContainer(td)) return [...defs];
  const pause: ContainerDefinition = {
    name: pauseContainerName,
    image: pauseImage,
    cpu: 0,
    essential: true,
    portMappings: [],
    environment: [],
    // The pause process ignores SIGTERM (it is PID 1 with no handler): nothing to wait for.
    stopTimeout: 0,
  };
  return [
    pause,
    ...defs.map((d) =>
      d.dependsOn?.some((dep) => dep.containerName === pauseContainerName)
        ? d
        : {
            ...d,
            dependsOn: [
              { containerName: pauseContainerName, condition: 'START' as const },
              ...(d.dependsOn ?? []),
            ],
          },
    ),
  ];
}

/** The subnet of an awsvpc task: its ENI attachment's, else Baton's default. */
export function subnetOf(task: Pick<Task, 'attachments'>): string {
  return taskSubnetId(task) ?? defaultSubnetId;
}

/** The engine name of a task's pause container. */
export function pauseEngineName(taskArn: string): string {
  return containerEngineName(taskArn, pauseContainerName);
}

/**
 * Ports an awsvpc task publishes, all through its pause container (which holds the namespace the
 * task's containers listen in): every container's portMappings, hostPort as given (the task
 * definition allows only containerPort or none: none is a dynamic port on the engine).
 */
export function taskPortSpecs(defs: readonly ContainerDefinition[]): ContainerPortSpec[] {
  return defs.flatMap((d) => containerPortSpecs(d, 'awsvpc'));
}

/** The first value a container of the task sets: awsvpc's task-wide hostname, DNS and hosts entries. */
export function firstSet<K extends keyof ContainerDefinition>(
  defs: readonly ContainerDefinition[],
  key: K,
): ContainerDefinition[K] | undefined {
  return defs.find((d) => d[key] !== undefined)?.[key];
}

/** The address a container has on a network, when the engine shows it attached. */
function addressOn(o: ObservedContainer | undefined, network: string) {
  return o?.networks?.find((n) => n.name === network && n.ipAddress !== '');
}

/**
 * An awsvpc task's ENI attachment as the agent reports it: PRECREATED until the pause container is
 * running with an address on the subnet's network, then ATTACHED with ECS's details (subnet, ENI id,
 * MAC address, private IPv4 address and DNS name), DELETED once the task has stopped.
 */
export function taskAttachment(
  task: Task,
  pause: ContainerView | undefined,
  taskStopped: boolean,
): Attachment {
  const existing =
    task.attachments?.find((a) => a.type === 'ElasticNetworkInterface') ??
    eniAttachment(taskIdOf(task.taskArn), undefined);
  const subnetId = subnetOf(task);
  const address = pause?.running ? addressOn(pause.observed, subnetNetworkName(subnetId)) : undefined;
  const known = new Map(existing.details.map((d) => [d.name, d.value]));
  if (address) {
    known.set('subnetId', subnetId);
    known.set('networkInterfaceId', `eni-${taskIdOf(task.taskArn).slice(0, 17)}`);
    known.set('macAddress', address.macAddress);
    known.set('privateDnsName', `ip-${address.ipAddress.replaceAll('.', '-')}.baton.internal`);
    known.set('privateIPv4Address', address.ipAddress);
  }
  const status = taskStopped
    ? 'DELETED'
    : address || existing.status === 'ATTACHED'
      ? 'ATTACHED'
      : existing.status;
  return {
    ...existing,
    status,
    details: [...known].map(([name, value]) => ({ name, value })),
  };
}

/** A container's `networkInterfaces` in an awsvpc task: the task's ENI address. */
export function containerInterfaces(attachment: Attachment): NetworkInterface[] {
  const ip = attachment.details.find((d) => d.name === 'privateIPv4Address')?.value;
  return ip ? [{ attachmentId: attachment.id, privateIpv4Address: ip }] : [];
}

/**
 * The pause container's create request. awsvpc: on its subnet's network, publishing every port of the
 * task, with the task's hostname, DNS servers and hosts entries (the first container that sets each).
 * pidMode/ipcMode `task` alone: no network of its own; `shareable` IPC for the others to join.
 */
export function pauseContainerSpec(
  task: Pick<
    Task,
    'taskArn' | 'clusterArn' | 'taskDefinitionArn' | 'group' | 'containerInstanceArn' | 'attachments'
  >,
  td: NamespaceModes,
  defs: readonly ContainerDefinition[],
  pauseImage: string,
): ContainerSpec {
  const awsvpc = td.networkMode === 'awsvpc';
  const subnetId = subnetOf(task);
  const hostname = awsvpc ? firstSet(defs, 'hostname') : undefined;
  const dnsServers = awsvpc ? firstSet(defs, 'dnsServers') : undefined;
  const dnsSearchDomains = awsvpc ? firstSet(defs, 'dnsSearchDomains') : undefined;
  const extraHosts = awsvpc ? firstSet(defs, 'extraHosts') : undefined;
  return {
    name: pauseEngineName(task.taskArn),
    image: pauseImage,
    entryPoint: ['/pause'],
    environment: [],
    cpuShares: 2,
    labels: containerLabels(task, pauseContainerName, 0),
    stopTimeoutSeconds: 0,
    networkMode: awsvpc ? 'bridge' : 'none',
    ...(awsvpc
      ? {
          network: {
            name: subnetNetworkName(subnetId),
            labels: { [subnetNetworkLabel]: subnetId },
          },
        }
      : {}),
    portMappings: awsvpc ? taskPortSpecs(defs) : [],
    ...(hostname !== undefined ? { hostname } : {}),
    ...(dnsServers !== undefined ? { dnsServers } : {}),
    ...(dnsSearchDomains !== undefined ? { dnsSearchDomains } : {}),
    ...(extraHosts !== undefined ? { extraHosts } : {}),
    ...(td.ipcMode === 'task' ? { ipcMode: 'shareable' as const } : {}),
  };
}
