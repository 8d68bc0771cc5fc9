import { type Clock, clockScheduler, systemClock } from '@baton-ecs/loop';
import type { ContainerInstance, Task, TaskDefinition } from '@baton-ecs/model';
import type { TaskStatusChanges } from '@baton-ecs/reconciler';
import { defineKinds, type Entry, isPreconditionFailure, kind, type WatchEvent } from '@baton-ecs/store';
import { type Observable, retry, timer } from 'rxjs';

export interface Versioned<T> {
  readonly object: T;
  readonly version: number;
}

/** The store operations an instance agent needs, and nothing else. */
export interface AgentStore {
  /** The Tasks assigned to an instance. */
  tasksOf(containerInstanceArn: string): Promise<Versioned<Task>[]>;
  taskDefinition(taskDefinitionArn: string): Promise<TaskDefinition | undefined>;
  /** Applies `changes` if the task is still at `version`; false when it moved on (or is gone). */
  updateTask(task: Versioned<Task>, changes: TaskStatusChanges): Promise<boolean>;
  instance(containerInstanceArn: string): Promise<Versioned<ContainerInstance> | undefined>;
  /** Creates the record (`version` undefined) or replaces it at `version`; false on a conflict. */
  putInstance(record: ContainerInstance, version: number | undefined): Promise<boolean>;
  /** Emits whenever a Task of the instance may have changed (a hint: the agent re-reads). */
  taskChanges(containerInstanceArn: string): Observable<unknown>;
}

/**
 * The kinds the agent reads and writes, as `@baton-ecs/store` kinds: Task (key taskArn, index
 * `byInstance`), TaskDefinition (key taskDefinitionArn), ContainerInstance (key
 * containerInstanceArn). A store built with other kind names works through `storeAgentStore`'s options.
 */
export const agentKinds = defineKinds({
  Task: kind<Task>({
    key: (t) => t.taskArn,
    spec: (t) => ({
      taskDefinitionArn: t.taskDefinitionArn,
      desiredStatus: t.desiredStatus,
      overrides: t.overrides,
    }),
    indexes: { byInstance: (t) => (t.containerInstanceArn ? [t.containerInstanceArn] : []) },
  }),
  TaskDefinition: kind<TaskDefinition>({
    key: (d) => d.taskDefinitionArn ?? `${d.family}:${d.revision ?? 0}`,
  }),
  ContainerInstance: kind<ContainerInstance>({
    key: (i) => i.containerInstanceArn,
    spec: (i) => ({ status: i.status, attributes: i.attributes }),
  }),
});

/** The slice of `Store` the adapter calls, loosely typed so a store of any kind map fits. */
export interface StoreLike {
  get(kind: string, key: string): Promise<Entry<unknown> | undefined>;
  list(
    kind: string,
    options?: { readonly index?: string; readonly value?: string },
  ): Promise<{ readonly items: readonly Entry<unknown>[] }>;
  create(kind: string, object: never): Promise<Entry<unknown>>;
  update(
    kind: string,
    key: string,
    change: never,
    options?: { readonly ifVersion?: number },
  ): Promise<Entry<unknown>>;
  watch(filter: {
    readonly kind: string;
    readonly index?: string;
    readonly value?: string;
  }): Observable<WatchEvent<unknown>>;
}

export interface StoreAgentStoreOptions {
  readonly taskKind?: string;
  readonly taskDefinitionKind?: string;
  readonly containerInstanceKind?: string;
  /** The Task index holding `containerInstanceArn`; null to list every task and filter. Default `byInstance`. */
  readonly taskInstanceIndex?: string | null;
  /** The TaskDefinition key of an ARN. Default: the ARN itself. */
  readonly taskDefinitionKey?: (taskDefinitionArn: string) => string;
  /** The clock a broken watch waits on before it is re-opened. Default the system clock. */
  readonly clock?: Clock;
}

/** An AgentStore over a `@baton-ecs/store` Store: compare-and-set writes on each object's version. */
export function storeAgentStore(store: StoreLike, options: StoreAgentStoreOptions = {}): AgentStore {
  const taskKind = options.taskKind ?? 'Task';
  const tdKind = options.taskDefinitionKind ?? 'TaskDefinition';
  const instanceKind = options.containerInstanceKind ?? 'ContainerInstance';
  const index = options.taskInstanceIndex === undefined ? 'byInstance' : options.taskInstanceIndex;
  const tdKey = options.taskDefinitionKey ?? ((arn: string) => arn);
  const clock = options.clock ?? systemClock;
  const versioned = <T>(e: Entry<unknown>): Versioned<T> => ({ object: e.object as T, version: e.version });
  const guard = async (write: () => Promise<unknown>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (err) {
      if (isPreconditionFailure(err)) return false;
      throw err;
    }
  };
  return {
    async tasksOf(arn) {
      const { items } = await store.list(taskKind, index ? { index, value: arn } : undefined);
      return items.map((e) => versioned<Task>(e)).filter((t) => t.object.containerInstanceArn === arn);
    },
    async taskDefinition(arn) {
      return (await store.get(tdKind, tdKey(arn)))?.object as TaskDefinition | undefined;
    },
    updateTask(task, changes) {
      const next = { ...task.object, ...changes } as never;
      return guard(() => store.update(taskKind, task.object.taskArn, next, { ifVersion: task.version }));
    },
    async instance(arn) {
      const e = await store.get(instanceKind, arn);
      return e ? versioned<ContainerInstance>(e) : undefined;
    },
    putInstance(record, version) {
      return guard(() =>
        version === undefined
          ? store.create(instanceKind, record as never)
          : store.update(instanceKind, record.containerInstanceArn, record as never, { ifVersion: version }),
      );
    },
    taskChanges(arn) {
      // A watch that fails (compaction, overflow) is re-opened: the agent re-reads on every event anyway.
      return store
        .watch(index ? { kind: taskKind, index, value: arn } : { kind: taskKind })
        .pipe(retry({ delay: () => timer(1000, clockScheduler(clock)) }));
    },
  };
}
