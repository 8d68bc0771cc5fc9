import type { SchedulerTask } from './snapshot.js';

/** A task as a group holds it: the record, and whether it was on a known instance when it came. */
interface Member {
  readonly task: SchedulerTask;
  readonly unplaced: boolean;
}

/**
 * What a group's tasks add up to, read without touching the task records: the counts a service's
 * reconcile needs to see that it has nothing to do. "Live" is ECS's RUNNING + PENDING count: desired
 * status RUNNING and not yet STOPPED.
 */
export interface GroupTaskCounts {
  /** Live tasks. */
  readonly live: number;
  /** Live tasks whose lastStatus is RUNNING. */
  readonly liveRunning: number;
  /** Live tasks whose healthStatus is HEALTHY. */
  readonly liveHealthy: number;
  /** Live tasks that have no startedAt. */
  readonly liveNotStarted: number;
  /** Live tasks that were on no known container instance when the state was given them. */
  readonly liveUnplaced: number;
  /** The latest startedAt of a live task (-Infinity when none has one). */
  readonly liveLatestStart: number;
  /** STOPPED tasks. */
  readonly stoppedCount: number;
  /** Live tasks by `startedBy` ('' for none). */
  liveStartedBy(startedBy: string): number;
  /** Live tasks by taskDefinitionArn. */
  liveOfTaskDefinition(taskDefinitionArn: string): number;
  /** Tasks of any status that have a startedAt, by `startedBy` ('' for none). */
  startedOf(startedBy: string): number;
}

/**
 * Every task of one group (a service's `service:<name>`) a ClusterState has been given, STOPPED ones
 * included, in the order first seen (a replaced task keeps its place), and their counts, kept up to
 * date as tasks are added, replaced and removed. `all` and `stopped` are arrays that never change once
 * handed out: a change makes new ones, so a reader can tell by identity that nothing changed.
 */
export class GroupTasks implements GroupTaskCounts {
  private readonly members = new Map<string, Member>();
  private allList: readonly SchedulerTask[] | undefined;
  private stoppedList: readonly SchedulerTask[] | undefined;
  live = 0;
  liveRunning = 0;
  liveHealthy = 0;
  liveNotStarted = 0;
  liveUnplaced = 0;
  stoppedCount = 0;
  private latestStart = Number.NEGATIVE_INFINITY;
  /** A live task holding the latest start left: recount on the next read. */
  private latestStartStale = false;
  private readonly liveByStartedBy = new Map<string, number>();
  private readonly liveByTaskDefinition = new Map<string, number>();
  private readonly startedByDeployment = new Map<string, number>();

  get size(): number {
    return this.members.size;
  }

  /** The group's tasks, any status, in the order first seen. */
  get all(): readonly SchedulerTask[] {
    this.allList ??= Array.from(this.members.values(), (m) => m.task);
    return this.allList;
  }

  /** The group's STOPPED tasks, in the same order. */
  get stopped(): readonly SchedulerTask[] {
    if (this.stoppedList === undefined) {
      const list: SchedulerTask[] = [];
      if (this.stoppedCount > 0)
        for (const m of this.members.values()) if (isStopped(m.task)) list.push(m.task);
      this.stoppedList = list;
    }
    return this.stoppedList;
  }

  get liveLatestStart(): number {
    if (this.latestStartStale) {
      this.latestStart = Number.NEGATIVE_INFINITY;
      for (const m of this.members.values()) {
        const t = m.task;
        if (isLive(t) && t.startedAt !== undefined && t.startedAt > this.latestStart)
          this.latestStart = t.startedAt;
      }
      this.latestStartStale = false;
    }
    return this.latestStart;
  }

  liveStartedBy(startedBy: string): number {
    return this.liveByStartedBy.get(startedBy) ?? 0;
  }

  liveOfTaskDefinition(taskDefinitionArn: string): number {
    return this.liveByTaskDefinition.get(taskDefinitionArn) ?? 0;
  }

  startedOf(startedBy: string): number {
    return this.startedByDeployment.get(startedBy) ?? 0;
  }

  /** Adds or replaces a task (a replaced task keeps its place in `all`). */
  upsert(task: SchedulerTask, unplaced: boolean): void {
    const previous = this.members.get(task.taskArn);
    if (previous !== undefined) this.count(previous, -1);
    const member: Member = { task, unplaced };
    this.members.set(task.taskArn, member);
    this.count(member, 1);
  }

  /** Removes a task; whether it was there. */
  remove(taskArn: string): boolean {
    const previous = this.members.get(taskArn);
    if (previous === undefined) return false;
    this.members.delete(taskArn);
    this.count(previous, -1);
    return true;
  }

  private count(m: Member, by: 1 | -1): void {
    const t = m.task;
    this.allList = undefined;
    if (isStopped(t)) {
      this.stoppedCount += by;
      this.stoppedList = undefined;
    }
    if (t.startedAt !== undefined) add(this.startedByDeployment, t.startedBy ?? '', by);
    if (!isLive(t)) return;
    this.live += by;
    if (t.lastStatus === 'RUNNING') this.liveRunning += by;
    if (t.healthStatus === 'HEALTHY') this.liveHealthy += by;
    if (m.unplaced) this.liveUnplaced += by;
    add(this.liveByStartedBy, t.startedBy ?? '', by);
    add(this.liveByTaskDefinition, t.taskDefinitionArn, by);
    if (t.startedAt === undefined) this.liveNotStarted += by;
    else if (by > 0) {
      if (!this.latestStartStale && t.startedAt > this.latestStart) this.latestStart = t.startedAt;
    } else if (t.startedAt >= this.latestStart) this.latestStartStale = true;
  }
}

function isStopped(t: SchedulerTask): boolean {
  return t.lastStatus === 'STOPPED';
}

function isLive(t: SchedulerTask): boolean {
  return t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED';
}

function add(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n === 0) map.delete(key);
  else map.set(key, n);
}
