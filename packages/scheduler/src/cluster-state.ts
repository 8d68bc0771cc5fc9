import type { ClusterQuerySyntaxError, InstanceResource } from '@baton-ecs/model';
import type { Either } from 'fp-ts/lib/Either.js';
import type { FitIndex } from './fit-index.js';
import { GroupTasks } from './group-tasks.js';
import {
  type InstanceRecord,
  newInstanceRecord,
  remainingResourcesOf,
  setInstanceFacts,
} from './instance-record.js';
import { PortHolders } from './port-holders.js';
import { type CompiledQuery, compileClusterQuery } from './query/compile.js';
import {
  hasResourceOverrides,
  type Reservation,
  taskDefinitionReservation,
  taskReservation,
  withBoundPorts,
} from './reservation.js';
import type { ResourceOrder } from './resource-order.js';
import {
  type ClusterSnapshot,
  lookupTaskDefinition,
  type SchedulerInstance,
  type SchedulerTask,
  type TaskDefinitionLookup,
} from './snapshot.js';
import { type BucketSet, type SpreadValues, StaticCandidates } from './static-candidates.js';

export type { BucketSet, CandidateBuckets, SpreadValues } from './static-candidates.js';

/** One task's hold on an instance. */
interface TaskEntry {
  readonly index: number;
  readonly reservation: Reservation;
  readonly group: string | undefined;
  /** Desired RUNNING: counts for task:group, spread, distinctInstance and runningTasksCount. */
  readonly live: boolean;
  readonly task: SchedulerTask | undefined;
}

/**
 * An indexed, mutable view of a cluster for placement: per-instance remaining
 * CPU, memory and ports computed from the tasks (registered minus what
 * non-STOPPED tasks reserve), task-group counts, and caches of everything
 * that does not change as tasks come and go (schedulable instances,
 * attribute-only memberOf verdicts, spread buckets).
 *
 * Build one per reconcile pass and reuse it for every placement in the pass:
 * placeTasks records its placements here, so later calls see them. Tasks and
 * instances can also be updated incrementally.
 */
export class ClusterState {
  readonly records: InstanceRecord[] = [];
  /**
   * Remaining CPU and memory by instance index: the records' figures, packed
   * in typed arrays for the loops that scan every candidate. Kept in step
   * with the records; replaced (not resized) when instances are added.
   */
  cpuLeft = new Float64Array(0);
  memoryLeft = new Float64Array(0);
  private readonly indexByArn = new Map<string, number>();
  private readonly tasks = new Map<string, TaskEntry>();
  /** Live tasks not on a known instance (awaiting placement): they hold nothing but can be stopped. */
  private readonly unplacedTasks = new Map<string, SchedulerTask>();
  /** Task group → instance index → live tasks of the group there. */
  private readonly groupMembers = new Map<string, Map<number, number>>();
  private readonly reservationByTaskDefinition = new Map<string, Reservation>();
  /** What depends on instance facts only (plus FitIndexes, kept in step with remaining resources). */
  private readonly statics = new StaticCandidates(this);
  private readonly compiledQueries = new Map<string, Either<ClusterQuerySyntaxError, CompiledQuery>>();
  /** A zeroed per-instance Int32Array that calls borrow for their dense counts (see borrowZeroedCounts). */
  private spareCounts: Int32Array | undefined;
  /** Host port → instance index → how many hold it there (an instance's reservation counts as one). */
  private readonly ports = new PortHolders();
  /** Every task given to upsertTask (STOPPED ones included) by group, and the group of each by ARN. */
  private readonly groups = new Map<string, GroupTasks>();
  private readonly groupOfTask = new Map<string, GroupTasks>();
  /** Instances that are not ACTIVE, or whose agent is disconnected. */
  private impaired = 0;

  constructor(private readonly taskDefinitions: TaskDefinitionLookup = new Map()) {}

  static fromSnapshot(snapshot: ClusterSnapshot): ClusterState {
    const state = new ClusterState(snapshot.taskDefinitions);
    for (const instance of snapshot.instances) state.upsertInstance(instance);
    for (const task of snapshot.tasks) state.upsertTask(task);
    return state;
  }

  get size(): number {
    return this.records.length;
  }

  indexOf(containerInstanceArn: string): number | undefined {
    return this.indexByArn.get(containerInstanceArn);
  }

  record(index: number): InstanceRecord {
    const r = this.records[index];
    if (r === undefined) throw new RangeError(`no container instance at index ${index}`);
    return r;
  }

  /** Adds an instance or replaces its facts (status, attributes, registered resources), keeping its tasks. */
  upsertInstance(instance: SchedulerInstance): void {
    const existing = this.indexByArn.get(instance.containerInstanceArn);
    let record: InstanceRecord;
    if (existing !== undefined && isImpaired(this.record(existing))) this.impaired--;
    if (existing === undefined) {
      record = newInstanceRecord(this.records.length, instance);
      this.records.push(record);
      this.indexByArn.set(instance.containerInstanceArn, record.index);
      if (record.index >= this.cpuLeft.length) {
        const grown = (old: Float64Array) => {
          const next = new Float64Array(Math.max(16, old.length * 2));
          next.set(old);
          return next;
        };
        this.cpuLeft = grown(this.cpuLeft);
        this.memoryLeft = grown(this.memoryLeft);
      }
    } else {
      record = this.record(existing);
      this.ports.release('tcp', record.reservedTcp, record.index);
      this.ports.release('udp', record.reservedUdp, record.index);
      setInstanceFacts(record, instance);
    }
    this.ports.hold('tcp', record.reservedTcp, record.index);
    this.ports.hold('udp', record.reservedUdp, record.index);
    this.syncRemaining(record);
    this.statics.clear();
    if (isImpaired(record)) this.impaired++;
  }

  /**
   * Adds, replaces or (when STOPPED) drops a task. A task reserves resources
   * until its lastStatus is STOPPED; it counts towards its group while its
   * desired status is RUNNING. Tasks on no known instance hold nothing.
   */
  upsertTask(task: SchedulerTask): void {
    this.removeEntry(task.taskArn);
    const index =
      task.containerInstanceArn === undefined ? undefined : this.indexByArn.get(task.containerInstanceArn);
    this.joinGroup(task, index === undefined);
    if (task.lastStatus === 'STOPPED') return;
    if (index === undefined) {
      if (task.desiredStatus === 'RUNNING') this.unplacedTasks.set(task.taskArn, task);
      return;
    }
    this.addEntry(task.taskArn, {
      index,
      reservation: this.reservationOf(task),
      group: task.group,
      live: task.desiredStatus === 'RUNNING',
      task,
    });
  }

  /** Forgets a task (what it held is free again, and it leaves its group). */
  removeTask(taskArn: string): void {
    this.removeEntry(taskArn);
    const group = this.groupOfTask.get(taskArn);
    if (group === undefined) return;
    this.groupOfTask.delete(taskArn);
    group.remove(taskArn);
  }

  /**
   * The tasks of `group` given to upsertTask (STOPPED ones included, placements planned and not yet
   * given back as tasks excluded) and their counts, kept up to date as they change; undefined when
   * the state knows no task of the group.
   */
  groupTasks(group: string): GroupTasks | undefined {
    return this.groups.get(group);
  }

  /** How many instances are not ACTIVE or have their agent disconnected. */
  get impairedInstances(): number {
    return this.impaired;
  }

  private joinGroup(task: SchedulerTask, unplaced: boolean): void {
    const before = this.groupOfTask.get(task.taskArn);
    let group = task.group === undefined ? undefined : this.groups.get(task.group);
    if (before !== undefined && before !== group) {
      before.remove(task.taskArn);
      this.groupOfTask.delete(task.taskArn);
    }
    if (task.group === undefined) return;
    if (group === undefined) {
      group = new GroupTasks();
      this.groups.set(task.group, group);
    }
    group.upsert(task, unplaced);
    if (before !== group) this.groupOfTask.set(task.taskArn, group);
  }

  /** Frees what a task holds (its entry, or its place among the unplaced), leaving its group alone. */
  private removeEntry(taskArn: string): void {
    // Usually empty: skip hashing the ARN for it (a new ARN's first hash flattens the string).
    if (this.unplacedTasks.size > 0) this.unplacedTasks.delete(taskArn);
    const entry = this.tasks.get(taskArn);
    if (entry === undefined) return;
    this.tasks.delete(taskArn);
    const r = this.record(entry.index);
    r.remainingCpu += entry.reservation.cpu;
    r.remainingMemory += entry.reservation.memory;
    this.syncRemaining(r);
    for (const p of entry.reservation.tcpPorts) decrement(r.usedTcp, p);
    for (const p of entry.reservation.udpPorts) decrement(r.usedUdp, p);
    this.ports.release('tcp', entry.reservation.tcpPorts, r.index);
    this.ports.release('udp', entry.reservation.udpPorts, r.index);
    if (entry.live) {
      r.runningTasksCount--;
      if (entry.group !== undefined) {
        decrement(r.groups, entry.group);
        const members = this.groupMembers.get(entry.group);
        if (members !== undefined) {
          decrement(members, entry.index);
          if (members.size === 0) this.groupMembers.delete(entry.group);
        }
      }
    }
  }

  /**
   * Records a new task of `group` on the instance at `index`. `taskArn`, when
   * given, lets a later upsertTask of the created task replace this entry.
   */
  reserve(index: number, reservation: Reservation, group: string, taskArn?: string): void {
    const entry: TaskEntry = { index, reservation, group, live: true, task: undefined };
    if (taskArn === undefined) {
      // Nothing will refer to it again: account it without a task entry.
      this.apply(entry);
      return;
    }
    this.removeEntry(taskArn);
    this.addEntry(taskArn, entry);
  }

  /**
   * The instances where `port` is reserved or held by a task (index →
   * holders): the ports filter's view. The map is live (kept in step with
   * placements) and stays the same object for the life of the state.
   */
  portHolders(protocol: 'tcp' | 'udp', port: number): ReadonlyMap<number, number> {
    return this.ports.of(protocol, port);
  }

  /** Remaining CPU, MEMORY, PORTS and PORTS_UDP of an instance, in ECS's shape. */
  remainingResources(containerInstanceArn: string): InstanceResource[] | undefined {
    const index = this.indexByArn.get(containerInstanceArn);
    return index === undefined ? undefined : remainingResourcesOf(this.record(index));
  }

  /** Live tasks of `group` per instance index. */
  groupDistribution(group: string): ReadonlyMap<number, number> {
    return this.groupMembers.get(group) ?? emptyDistribution;
  }

  /** The reservation of a known task (undefined for unknown or STOPPED ones). */
  taskReservation(taskArn: string): Reservation | undefined {
    return this.tasks.get(taskArn)?.reservation;
  }

  /** Live tasks of `group` known to the state, placed or not. */
  *tasksOfGroup(group: string): Iterable<SchedulerTask> {
    for (const task of this.unplacedTasks.values()) if (task.group === group) yield task;
    for (const entry of this.tasks.values()) {
      if (entry.live && entry.group === group && entry.task !== undefined) yield entry.task;
    }
  }

  /**
   * An all-zero Int32Array with an entry per instance, for one call's
   * per-instance counts: the spare one when it is free and large enough,
   * else a new one. Give it back, zeroed again, with returnZeroedCounts.
   */
  borrowZeroedCounts(): Int32Array {
    const spare = this.spareCounts;
    this.spareCounts = undefined;
    return spare !== undefined && spare.length >= this.records.length
      ? spare
      : new Int32Array(this.records.length);
  }

  /** Takes back an array from borrowZeroedCounts; every entry must be 0 again. */
  returnZeroedCounts(counts: Int32Array): void {
    this.spareCounts = counts;
  }

  /** Compiles a memberOf expression once per state, however many requests carry it. */
  compileQuery(expression: string): Either<ClusterQuerySyntaxError, CompiledQuery> {
    let compiled = this.compiledQueries.get(expression);
    if (compiled === undefined) {
      compiled = compileClusterQuery(expression);
      this.compiledQueries.set(expression, compiled);
    }
    return compiled;
  }

  /** Indices of instances that are ACTIVE with a connected agent. */
  schedulable(): Int32Array {
    return this.statics.schedulable();
  }

  /** Per-instance verdicts of a query that reads only instance facts, computed once per state. */
  queryMatches(query: CompiledQuery): Uint8Array {
    return this.statics.queryMatches(query);
  }

  /** Schedulable instances that satisfy every given fact-only query. */
  staticCandidates(queries: readonly CompiledQuery[]): Int32Array {
    return this.statics.candidates(queries);
  }

  /**
   * The static candidates for `queries`, split by the values of each of
   * `attributes` in turn: the buckets of a chain's leading spreads, which
   * depend only on instance facts and so are built once per state.
   */
  staticBuckets(queries: readonly CompiledQuery[], attributes: readonly string[]): BucketSet {
    return this.statics.buckets(queries, attributes);
  }

  /**
   * A FitIndex over the set's leaves (remaining CPU and memory maxima),
   * built on first use and then updated with every reservation and release
   * until an instance changes. Undefined when the state keeps as many as it
   * allows (then scan).
   */
  fitIndex(set: BucketSet): FitIndex | undefined {
    return this.statics.fitIndex(set);
  }

  /**
   * The set's leaves ordered by remaining CPU or memory (then index), built
   * on first use and then kept in step with every reservation and release
   * until an instance changes. Undefined when the state keeps as many as it
   * allows (then scan).
   */
  resourceOrder(set: BucketSet, resource: 'cpu' | 'memory'): ResourceOrder | undefined {
    return this.statics.resourceOrder(set, resource);
  }

  /** Instances bucketed by an attribute's value. */
  spreadValues(attribute: string): SpreadValues {
    return this.statics.spreadValues(attribute);
  }

  private reservationOf(task: SchedulerTask): Reservation {
    const td = lookupTaskDefinition(this.taskDefinitions, task.taskDefinitionArn);
    if (td === undefined || hasResourceOverrides(task)) return taskReservation(task, td);
    // Most tasks are plain instances of their definition: compute each definition once.
    let base = this.reservationByTaskDefinition.get(task.taskDefinitionArn);
    if (base === undefined) {
      base = taskDefinitionReservation(td);
      this.reservationByTaskDefinition.set(task.taskDefinitionArn, base);
    }
    const ports = withBoundPorts(base, task);
    return ports.tcpPorts === base.tcpPorts && ports.udpPorts === base.udpPorts
      ? base
      : { ...base, ...ports };
  }

  private addEntry(key: string, entry: TaskEntry): void {
    this.tasks.set(key, entry);
    this.apply(entry);
  }

  private apply(entry: TaskEntry): void {
    const r = this.record(entry.index);
    r.remainingCpu -= entry.reservation.cpu;
    r.remainingMemory -= entry.reservation.memory;
    this.syncRemaining(r);
    for (const p of entry.reservation.tcpPorts) increment(r.usedTcp, p);
    for (const p of entry.reservation.udpPorts) increment(r.usedUdp, p);
    this.ports.hold('tcp', entry.reservation.tcpPorts, r.index);
    this.ports.hold('udp', entry.reservation.udpPorts, r.index);
    if (entry.live) {
      r.runningTasksCount++;
      if (entry.group !== undefined) {
        increment(r.groups, entry.group);
        let members = this.groupMembers.get(entry.group);
        if (members === undefined) {
          members = new Map();
          this.groupMembers.set(entry.group, members);
        }
        increment(members, entry.index);
      }
    }
  }

  private syncRemaining(r: InstanceRecord): void {
    this.cpuLeft[r.index] = r.remainingCpu;
    this.memoryLeft[r.index] = r.remainingMemory;
    this.statics.resourcesChanged(r.index, r.remainingCpu, r.remainingMemory);
  }
}

const emptyDistribution: ReadonlyMap<number, number> = new Map();

function isImpaired(r: InstanceRecord): boolean {
  return r.status !== 'ACTIVE' || !r.agentConnected;
}

function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function decrement<K>(map: Map<K, number>, key: K): void {
  const n = (map.get(key) ?? 0) - 1;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
