import type { ClusterState } from './cluster-state.js';
import type { InstanceRecord } from './instance-record.js';
import type { CompiledQuery } from './query/compile.js';
import type { Reservation } from './reservation.js';

/** The placement filters, in the order ECS applies them. */
export const filterOrder = [
  'status',
  'agent',
  'cpu',
  'memory',
  'ports',
  'distinctInstance',
  'memberOf',
] as const;
export type FilterName = (typeof filterOrder)[number];

/** How many instances one filter rejected: the data behind a placement failure's text. */
export interface FilterRejection {
  readonly filter: FilterName;
  /** For memberOf, the expression as written. */
  readonly detail?: string;
  readonly instanceCount: number;
}

/**
 * One step of the placement pipeline (swarmkit's shape): a check bound to
 * one request, and a way to explain its rejections.
 */
export interface PlacementFilter {
  readonly name: FilterName;
  readonly detail: string | undefined;
  /**
   * True when placing a task on an instance can change the verdict for that
   * instance (resources, ports, task-dependent queries); false when it reads
   * only instance facts and is decided once per cluster state.
   */
  readonly dependsOnTasks: boolean;
  /** The compiled expression of a memberOf filter. */
  readonly query: CompiledQuery | undefined;
  check(record: InstanceRecord): boolean;
  explain(instanceCount: number): FilterRejection;
}

function filter(
  name: FilterName,
  dependsOnTasks: boolean,
  check: (record: InstanceRecord) => boolean,
  query?: CompiledQuery,
): PlacementFilter {
  const detail = query?.expression;
  return {
    name,
    detail,
    dependsOnTasks,
    query,
    check,
    explain: (instanceCount) =>
      detail === undefined ? { filter: name, instanceCount } : { filter: name, detail, instanceCount },
  };
}

export const statusFilter = filter('status', false, (r) => r.status === 'ACTIVE');
export const agentFilter = filter('agent', false, (r) => r.agentConnected);

export function cpuFilter(demand: Pick<Reservation, 'cpu'>): PlacementFilter {
  const cpu = demand.cpu;
  return filter('cpu', true, (r) => r.remainingCpu >= cpu);
}

export function memoryFilter(demand: Pick<Reservation, 'memory'>): PlacementFilter {
  const memory = demand.memory;
  return filter('memory', true, (r) => r.remainingMemory >= memory);
}

/** Static host ports conflict with reserved ports and with ports other tasks hold; dynamic ones never do. */
export function portsFilter(
  demand: Pick<Reservation, 'tcpPorts' | 'udpPorts'>,
  state: ClusterState,
): PlacementFilter {
  const held = [
    ...demand.tcpPorts.map((p) => state.portHolders('tcp', p)),
    ...demand.udpPorts.map((p) => state.portHolders('udp', p)),
  ];
  if (held.length === 0) return filter('ports', true, () => true);
  return filter('ports', true, (r) => {
    for (let h = 0; h < held.length; h++) if (held[h]!.has(r.index)) return false;
    return true;
  });
}

/** No two tasks of the group on one instance (tasks whose desired status is RUNNING). */
export function distinctInstanceFilter(group: string): PlacementFilter {
  return filter('distinctInstance', true, (r) => !r.groups.has(group));
}

export function memberOfFilter(query: CompiledQuery): PlacementFilter {
  return filter('memberOf', query.dependsOnTasks, (r) => query.matches(r), query);
}

/** The full pipeline for one request, in ECS order. */
export function placementFilters(
  state: ClusterState,
  demand: Reservation,
  group: string,
  distinctInstance: boolean,
  memberOf: readonly CompiledQuery[],
): PlacementFilter[] {
  return [
    statusFilter,
    agentFilter,
    cpuFilter(demand),
    memoryFilter(demand),
    portsFilter(demand, state),
    ...(distinctInstance ? [distinctInstanceFilter(group)] : []),
    ...memberOf.map(memberOfFilter),
  ];
}

/** Index of the first filter that rejects the instance, or `filters.length` when all pass. */
export function firstRejecting(filters: readonly PlacementFilter[], record: InstanceRecord): number {
  let f = 0;
  while (f < filters.length && filters[f]!.check(record)) f++;
  return f;
}
