import { Counters, type LogRecord, ManualClock, TerminalError } from '@baton-ecs/loop';
import { arns, type ContainerInstance, type Task, type TaskDefinition } from '@baton-ecs/model';
import {
  containerEngineName,
  containerLabels,
  type ObservedContainer,
  type TaskStatusChanges,
} from '@baton-ecs/reconciler';
import { NEVER, type Observable, Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentStore, ContainerEngine, EngineInfo, Versioned } from '../src/index.js';
import { EngineError, InstanceAgent } from '../src/index.js';

/**
 * The task agent runs its passes on @baton-ecs/loop's ControllerLoop, on the injected Clock: these
 * tests drive it without Docker, over an engine and a store in memory, on a ManualClock.
 *
 * Planted bugs each was checked to catch: the agent's own pass loop back in place of the
 * ControllerLoop (no `baton_reconcile_total{controller="task-agent"}`, no reconcile id, a
 * TerminalError retried after 250 ms, stop waiting for the engine's answer); the pass returning no
 * `requeueAfterMs`; `untilAborted` resolving once the signal has aborted (the released pass writes);
 * the queue's back-off options dropped (first retry after 5 ms, not 250 ms).
 */

const cluster = 'loop-test';
const instanceId = 'i-loop';
const instanceArn = arns.containerInstance(cluster, instanceId);
const T0 = 1_700_000_000_000;

/** Lets every promise and immediate the agent started run, until it has nothing left to do now. */
async function settle(agent: InstanceAgent): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (agent.idle && i >= 2) return;
  }
  throw new Error('the agent never came to rest');
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** An engine in memory: it lists and inspects what `containers` holds, and fails or holds a list when told. */
class EngineDouble implements ContainerEngine {
  readonly endpoint = 'double://engine';
  readonly containers = new Map<string, ObservedContainer>();
  readonly removed: string[] = [];
  readonly created: string[] = [];
  lists = 0;
  /** Errors the next list calls throw, in order. */
  readonly failures: unknown[] = [];
  /** When set, the next list call waits for it. */
  hold: Deferred<void> | undefined;

  async ping(): Promise<void> {}
  async info(): Promise<EngineInfo> {
    return {
      id: 'double',
      name: 'double',
      cpus: 2,
      memoryBytes: 4 * 1024 ** 3,
      architecture: 'x86_64',
      osType: 'linux',
      serverVersion: '27.0.0',
    };
  }
  async listContainerIds(): Promise<string[]> {
    this.lists++;
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    const hold = this.hold;
    this.hold = undefined;
    if (hold) await hold.promise;
    return [...this.containers.keys()];
  }
  async inspect(id: string): Promise<ObservedContainer | undefined> {
    return this.containers.get(id);
  }
  async imageRefs(): Promise<string[]> {
    return ['app:1'];
  }
  async hasImage(): Promise<boolean> {
    return true;
  }
  async pull(): Promise<void> {}
  async create(spec: { readonly name: string }): Promise<string> {
    this.created.push(spec.name);
    return spec.name;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async remove(id: string): Promise<void> {
    this.removed.push(id);
    this.containers.delete(id);
  }
  events(): Observable<never> {
    return NEVER;
  }
  stats(): Observable<never> {
    return NEVER;
  }
  async logs(): Promise<[]> {
    return [];
  }
}

/** The agent's store in memory, counting task writes. */
class StoreDouble implements AgentStore {
  readonly tasks = new Map<string, Versioned<Task>>();
  readonly definitions = new Map<string, TaskDefinition>();
  record: Versioned<ContainerInstance> | undefined;
  readonly changes = new Subject<unknown>();
  taskWrites = 0;

  async tasksOf(arn: string): Promise<Versioned<Task>[]> {
    return [...this.tasks.values()].filter((t) => t.object.containerInstanceArn === arn);
  }
  async taskDefinition(arn: string): Promise<TaskDefinition | undefined> {
    return this.definitions.get(arn);
  }
  async updateTask(task: Versioned<Task>, changes: TaskStatusChanges): Promise<boolean> {
    const current = this.tasks.get(task.object.taskArn);
    if (current?.version !== task.version) return false;
    this.taskWrites++;
    this.tasks.set(task.object.taskArn, {
      object: { ...current.object, ...changes } as Task,
      version: current.version + 1,
    });
    return true;
  }
  async instance(): Promise<Versioned<ContainerInstance> | undefined> {
    return this.record;
  }
  async putInstance(record: ContainerInstance, version: number | undefined): Promise<boolean> {
    if (version !== this.record?.version) return false;
    this.record = { object: record, version: (version ?? 0) + 1 };
    return true;
  }
  taskChanges(): Observable<unknown> {
    return this.changes;
  }
}

const td: TaskDefinition = {
  family: 'app',
  revision: 1,
  taskDefinitionArn: arns.taskDefinition('app', 1),
  containerDefinitions: [
    {
      name: 'app',
      image: 'app:1',
      cpu: 0,
      essential: true,
      portMappings: [],
      environment: [],
      stopTimeout: 2,
    },
  ],
  networkMode: 'bridge',
  placementConstraints: [],
  tags: [],
  status: 'ACTIVE',
};

function task(id: string, over: Partial<Task> = {}): Task {
  const taskArn = arns.task(cluster, id);
  return {
    taskArn,
    clusterArn: arns.cluster(cluster),
    taskDefinitionArn: td.taskDefinitionArn ?? '',
    containerInstanceArn: instanceArn,
    launchType: 'EC2',
    overrides: { containerOverrides: [] },
    desiredStatus: 'RUNNING',
    lastStatus: 'PROVISIONING',
    healthStatus: 'UNKNOWN',
    containers: [
      { name: 'app', taskArn, lastStatus: 'PENDING', healthStatus: 'UNKNOWN', networkBindings: [] },
    ],
    tags: [],
    ...over,
  };
}

function exitedContainer(t: Task): ObservedContainer {
  return {
    id: `id-${t.taskArn.split('/').pop()}`,
    name: containerEngineName(t.taskArn, 'app'),
    labels: containerLabels(t, 'app', 2),
    image: 'app:1',
    state: 'exited',
    exitCode: 0,
    startedAt: T0 - 60_000,
    finishedAt: T0 - 1_000,
    health: 'none',
    portBindings: [],
  };
}

let agents: InstanceAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.map((a) => a.stop({ waitForActions: false })));
  agents = [];
});

function agentOver(options: { readonly taskCleanupWaitMs?: number } = {}) {
  const clock = new ManualClock(T0);
  const engine = new EngineDouble();
  const store = new StoreDouble();
  store.definitions.set(td.taskDefinitionArn ?? '', td);
  const counters = new Counters();
  const logs: LogRecord[] = [];
  const errors: string[] = [];
  const agent = new InstanceAgent({
    cluster,
    instanceId,
    endpoint: engine.endpoint,
    engine,
    store,
    clock,
    counters,
    logger: (record) => logs.push(record),
    onError: (_error, context) => errors.push(context),
    // Nothing on a timer but what the test is about.
    heartbeatIntervalMs: 3_600_000,
    resyncIntervalMs: 3_600_000,
    ...(options.taskCleanupWaitMs !== undefined
      ? { settings: { taskCleanupWaitMs: options.taskCleanupWaitMs } }
      : {}),
  });
  agents.push(agent);
  const results = (result: string) =>
    counters.get('baton_reconcile_total', { controller: 'task-agent', result });
  return { clock, engine, store, counters, logs, errors, agent, results };
}

describe('the task agent on the controller loop', () => {
  it('backs off after an engine error (250 ms, then 500 ms, on the clock) and recovers', async () => {
    const { clock, engine, agent, logs, errors, results, counters } = agentOver();
    const refused = () => new EngineError('engine refused', { operation: 'list', statusCode: 500 });
    engine.failures.push(refused(), refused());
    await agent.start();
    await settle(agent);
    expect(engine.lists).toBe(1); // the first pass failed

    clock.advance(249);
    await settle(agent);
    expect(engine.lists).toBe(1); // still backing off
    clock.advance(1);
    await settle(agent);
    expect(engine.lists).toBe(2); // retried at 250 ms: failed again

    clock.advance(499);
    await settle(agent);
    expect(engine.lists).toBe(2);
    clock.advance(1);
    await settle(agent);
    expect(engine.lists).toBe(3); // retried 500 ms later: recovered
    expect(agent.status().passes).toBe(3);
    expect(results('error')).toBe(2);
    expect(results('success')).toBe(1);
    expect(counters.histogram('baton_reconcile_time_seconds', { controller: 'task-agent' })?.count).toBe(3);

    const retries = logs.filter((l) => l.msg === 'reconcile failed; will retry');
    expect(retries.map((l) => l.retryInMs)).toEqual([250, 500]);
    for (const l of retries) {
      expect(l).toMatchObject({ controller: 'task-agent', key: instanceArn, error: 'engine refused' });
      expect(l.reconcileId).toEqual(expect.any(String));
    }
    expect(new Set(retries.map((l) => l.reconcileId)).size).toBe(2); // one id per pass
    expect(errors).toEqual(['reconcile', 'reconcile']);

    // Recovered: the next failure starts from 250 ms again.
    engine.failures.push(refused());
    agent.kick();
    await settle(agent);
    expect(engine.lists).toBe(4);
    expect(logs.filter((l) => l.msg === 'reconcile failed; will retry').at(-1)?.retryInMs).toBe(250);
  });

  it('honours the plan’s requeueAfter exactly on the clock', async () => {
    const { clock, engine, store, agent, results } = agentOver({ taskCleanupWaitMs: 10_000 });
    // A task stopped at T0 whose container is still there: the plan removes it after the cleanup wait.
    const stopped = task('t1', { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: T0 });
    store.tasks.set(stopped.taskArn, { object: stopped, version: 1 });
    const container = exitedContainer(stopped);
    engine.containers.set(container.id, container);
    await agent.start();
    await settle(agent);
    expect(engine.lists).toBe(1);
    expect(results('requeue_after')).toBe(1);
    expect(engine.removed).toEqual([]);

    clock.advance(9_999);
    await settle(agent);
    expect(engine.lists).toBe(1); // not a millisecond early
    expect(engine.removed).toEqual([]);
    clock.advance(1);
    await settle(agent);
    expect(engine.lists).toBeGreaterThanOrEqual(2);
    expect(engine.removed).toEqual([container.id]);
  });

  it('does not retry a TerminalError, yet runs again when something asks', async () => {
    const { clock, engine, agent, logs, results, counters } = agentOver();
    engine.failures.push(new TerminalError('this engine can never be listed'));
    await agent.start();
    await settle(agent);
    expect(engine.lists).toBe(1);
    expect(counters.get('baton_terminal_reconcile_errors_total', { controller: 'task-agent' })).toBe(1);
    expect(logs.find((l) => l.msg === 'reconcile failed; not retrying (terminal error)')).toMatchObject({
      controller: 'task-agent',
      key: instanceArn,
      reconcileId: expect.any(String),
    });

    // Past every back-off the loop would have used (250 ms … 30 s): no retry came.
    clock.advance(60_000);
    await settle(agent);
    expect(engine.lists).toBe(1);
    expect(clock.pendingTimers).toBe(2); // only the heartbeat and the resync are scheduled
    expect(results('error')).toBe(1);

    agent.kick(); // a task change, an engine event: the key is reconciled again
    await settle(agent);
    expect(engine.lists).toBe(2);
    expect(results('success')).toBe(1);
  });

  it('coalesces passes asked for while one runs into one more pass', async () => {
    const { engine, agent } = agentOver();
    await agent.start();
    await settle(agent);
    expect(engine.lists).toBe(1);
    const hold = deferred<void>();
    engine.hold = hold;
    agent.kick();
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(engine.lists).toBe(2); // held
    for (let i = 0; i < 5; i++) agent.kick();
    hold.resolve();
    await settle(agent);
    expect(engine.lists).toBe(3);
  });

  it('stop aborts the pass in flight: it returns without the engine’s answer, and the pass writes nothing', async () => {
    const { clock, engine, store, agent, logs, results } = agentOver();
    await agent.start();
    await settle(agent);
    expect(engine.lists).toBe(1);

    // A task to start: a pass that went on would write its status and create its container.
    const pending = task('t2');
    store.tasks.set(pending.taskArn, { object: pending, version: 1 });
    const hold = deferred<void>();
    engine.hold = hold;
    store.changes.next(pending.taskArn);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(engine.lists).toBe(2); // the pass waits on the engine

    let stopped = false;
    const stopping = agent.stop().then(() => {
      stopped = true;
    });
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(stopped).toBe(true); // without the engine's answer
    await stopping;

    hold.resolve(); // the engine answers after all
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(store.taskWrites).toBe(0);
    expect(engine.created).toEqual([]);
    expect(logs.find((l) => l.msg === 'reconcile ended by stop')).toMatchObject({ key: instanceArn });
    expect(results('error')).toBe(0); // a pass ended by stop is not an error
    expect(store.changes.observed).toBe(false); // the task watch was disposed with the loop
    expect(clock.pendingTimers).toBe(0); // and the heartbeat and resync timers
  });
});
