import { type InstanceResource, resourceInteger, resourceStringSet } from '@baton-ecs/model';
import { ECS_RESERVED_TCP_PORTS } from './reservation.js';
import type { SchedulerInstance } from './snapshot.js';

/**
 * One container instance inside a ClusterState: its static facts, read once
 * from the ECS record, and its mutable accounting, updated as tasks are
 * added, placed and removed.
 */
export interface InstanceRecord {
  readonly index: number;
  instance: SchedulerInstance;
  arn: string;
  /** Baton's instance id (ECS's `ec2InstanceId`). */
  id: string;
  /** ACTIVE and agent connected: the two filters that never change within a state. */
  status: string;
  agentConnected: boolean;
  attributes: Map<string, string>;
  reservedTcp: Set<number>;
  reservedUdp: Set<number>;
  registeredCpu: number;
  registeredMemory: number;
  remainingCpu: number;
  remainingMemory: number;
  /** Host port → number of tasks holding it (more than one only in an over-committed snapshot). */
  usedTcp: Map<number, number>;
  usedUdp: Map<number, number>;
  /** Task group → tasks of it whose desired status is RUNNING. */
  groups: Map<string, number>;
  /** Tasks whose desired status is RUNNING (ECS's definition of runningTasksCount). */
  runningTasksCount: number;
}

export function newInstanceRecord(index: number, instance: SchedulerInstance): InstanceRecord {
  const record: InstanceRecord = {
    index,
    instance,
    arn: instance.containerInstanceArn,
    id: instance.ec2InstanceId,
    status: instance.status,
    agentConnected: instance.agentConnected,
    attributes: new Map(),
    reservedTcp: new Set(),
    reservedUdp: new Set(),
    registeredCpu: 0,
    registeredMemory: 0,
    remainingCpu: 0,
    remainingMemory: 0,
    usedTcp: new Map(),
    usedUdp: new Map(),
    groups: new Map(),
    runningTasksCount: 0,
  };
  setInstanceFacts(record, instance);
  return record;
}

/** Re-reads an instance's static facts, keeping what its tasks use. */
export function setInstanceFacts(record: InstanceRecord, instance: SchedulerInstance): void {
  const usedCpu = record.registeredCpu - record.remainingCpu;
  const usedMemory = record.registeredMemory - record.remainingMemory;
  record.instance = instance;
  record.arn = instance.containerInstanceArn;
  record.id = instance.ec2InstanceId;
  record.status = instance.status;
  record.agentConnected = instance.agentConnected;
  record.attributes = new Map(instance.attributes.map((a) => [a.name, a.value ?? '']));
  record.registeredCpu = resourceInteger(instance.registeredResources, 'CPU');
  record.registeredMemory = resourceInteger(instance.registeredResources, 'MEMORY');
  record.remainingCpu = record.registeredCpu - usedCpu;
  record.remainingMemory = record.registeredMemory - usedMemory;
  record.reservedTcp = new Set([
    ...ECS_RESERVED_TCP_PORTS,
    ...portNumbers(resourceStringSet(instance.registeredResources, 'PORTS')),
  ]);
  record.reservedUdp = new Set(portNumbers(resourceStringSet(instance.registeredResources, 'PORTS_UDP')));
}

function portNumbers(values: readonly string[]): number[] {
  const ports: number[] = [];
  for (const v of values) {
    const n = Number(v);
    if (Number.isInteger(n) && n > 0) ports.push(n);
  }
  return ports;
}

/** The record's remaining resources in ECS's shape: ports list what is taken, reserved ports included. */
export function remainingResourcesOf(record: InstanceRecord): InstanceResource[] {
  const ports = (reserved: Set<number>, used: Map<number, number>) =>
    [...new Set([...reserved, ...used.keys()])].sort((a, b) => a - b).map(String);
  return [
    { name: 'CPU', type: 'INTEGER', integerValue: record.remainingCpu },
    { name: 'MEMORY', type: 'INTEGER', integerValue: record.remainingMemory },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: ports(record.reservedTcp, record.usedTcp) },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: ports(record.reservedUdp, record.usedUdp) },
  ];
}
