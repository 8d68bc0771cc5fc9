import {
  type Clock,
  ControllerLoop,
  Counters,
  every,
  type Logger,
  type ReconcileContext,
  type ReconcileOutcome,
  silentLogger,
  systemClock,
  untilAborted,
} from '@baton-ecs/loop';
import type { ContainerInstance, Task, TaskDefinition } from '@baton-ecs/model';
import {
  type AgentSettings,
  batonLabels,
  type ContainerAction,
  type ObservedContainer,
  type ReconcileInstanceResult,
  reconcileInstance,
} from '@baton-ecs/reconciler';
import type { Subscription } from 'rxjs';
import type { AgentStore, Versioned } from './agent-store.js';
import type { ContainerEngine } from './container-engine.js';
import type { ContainerInjector } from './container-injection.js';
import type { EngineConnection } from './endpoint.js';
import { DockerEngine } from './engine.js';
import { EngineSecurityError, engineStatus } from './engine-error.js';
import { ActionExecutor } from './executor.js';
import type { ImagePinner } from './image-pinning.js';
import { containerInstanceArnOf, type InstanceRegistration, instanceRecord } from './instance-record.js';

export interface InstanceAgentOptions extends InstanceRegistration, EngineConnection {
  readonly store: AgentStore;
  /** The engine to drive; default a DockerEngine at `endpoint` (the simulator passes its own). */
  readonly engine?: ContainerEngine;
  /** The task agent's settings (pull behaviour, cleanup wait, default start timeout). */
  readonly settings?: Partial<AgentSettings>;
  /** Secrets and metadata URIs for each create, registry logins for pulls (see ContainerInjector). */
  readonly injector?: ContainerInjector;
  /** Where published ports bind. Default 127.0.0.1. */
  readonly publishHostIp?: string;
  /** The CIDR awsvpc subnet networks take their /24s from (one pool per engine sharing a host); default: the engine picks. */
  readonly taskNetworkPool?: string;
  /** Full re-observation of the engine, whatever the events said. Default 30 s. */
  readonly resyncIntervalMs?: number;
  /** How often the engine is pinged. Default 5 s. */
  readonly heartbeatIntervalMs?: number;
  /** A ping slower than this counts as no answer. Default 3 s. */
  readonly heartbeatTimeoutMs?: number;
  /** Container actions running at once. Default 8. */
  readonly concurrency?: number;
  /** Pins images to digests once per deployment through a registry client (see registryImagePinner). */
  readonly images?: ImagePinner;
  /** Limit for short engine calls. Default 15 s. */
  readonly requestTimeoutMs?: number;
  /** Heartbeats, resyncs, requeues, back-off and timestamps; default the system clock (a simulation passes its own). */
  readonly clock?: Clock;
  /**
   * The pass loop's log lines (a failed pass, with its reconcile id, attempt and back-off; a pass that
   * failed terminally); default: none.
   */
  readonly logger?: Logger;
  /**
   * Where the pass loop counts: `baton_reconcile_total{controller="task-agent",result}`, its error
   * counters and the `baton_reconcile_time_seconds{controller="task-agent"}` histogram. Default: a
   * Counters of the agent's own.
   */
  readonly counters?: Counters;
  /** Every container action as it finishes, with its error if it failed: for logs and metrics. */
  readonly onAction?: (action: ContainerAction, error: unknown) => void;
  /**
   * Errors the agent recovered from (it retries), with where: `reconcile` (a failed pass, which the
   * loop also logs through `logger`), `heartbeat`, `instance`, or the container action; default: ignored.
   */
  readonly onError?: (error: unknown, context: string) => void;
}

export interface InstanceAgentStatus {
  readonly connected: boolean | undefined;
  readonly passes: number;
  readonly actionsInFlight: number;
  readonly lastResult: ReconcileInstanceResult | undefined;
}

/** The loop's name: the `controller` label of the agent's metrics and log lines. */
const loopName = 'task-agent';

/** A failed pass is retried after 250 ms, doubling per failure up to 30 s (reset by a pass that succeeds). */
const backoff = { baseBackoffMs: 250, maxBackoffMs: 30_000 } as const;

/**
 * ECS's container agent for one Docker engine: observes the engine (events plus a periodic full
 * resync), runs the pure task agent over the instance's Tasks, executes the container actions it
 * returns and writes Task status back with compare-and-set. An engine that stops answering marks
 * the instance `agentConnected=false`; when it answers again the agent re-registers and re-syncs.
 *
 * Its passes run on the controllers' `ControllerLoop` (from `@baton-ecs/loop`) with one key, the
 * container instance: `reconcileInstance` plans the whole instance at once (ports, images, volumes
 * and resources are shared by its tasks), so per-task keys would only split one decision. The loop
 * gives the agent what it gives the controllers: passes coalesced (one at a time, one more if asked
 * meanwhile), per-key back-off on errors, exact `requeueAfter`, a `TerminalError` never retried,
 * an AbortSignal aborted on stop, a reconcile id in its log lines, and per-result metrics.
 */
export class InstanceAgent {
  readonly containerInstanceArn: string;
  readonly engine: ContainerEngine;
  private readonly store: AgentStore;
  private readonly executor: ActionExecutor;
  private readonly clock: Clock;
  private readonly label: string;
  private readonly observedCache = new Map<string, ObservedContainer>();
  /** Task → its image-pinning scope (deployment id, else task definition). */
  private readonly scopes = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private readonly taskDefinitions = new Map<string, TaskDefinition>();
  private readonly loop: ControllerLoop<string>;
  private eventsSubscription: Subscription | undefined;
  private fullResync = true;
  private connectedState: boolean | undefined;
  private connecting: Promise<void> | undefined;
  private stopped = false;
  private passCount = 0;
  private lastResult: ReconcileInstanceResult | undefined;
  private lastCounts = '';
  private passWaiters: (() => void)[] = [];

  constructor(private readonly options: InstanceAgentOptions) {
    this.containerInstanceArn = containerInstanceArnOf(options);
    this.engine =
      options.engine ??
      new DockerEngine(options.endpoint, {
        ...(options.tls ? { tls: options.tls } : {}),
        ...(options.ssh ? { ssh: options.ssh } : {}),
        ...(options.allowInsecure ? { allowInsecure: true } : {}),
        ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      });
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.label = `${batonLabels.cluster}=${options.cluster}`;
    this.executor = new ActionExecutor(this.engine, {
      concurrency: options.concurrency ?? 8,
      publishHostIp: options.publishHostIp ?? '127.0.0.1',
      ...(options.taskNetworkPool ? { taskNetworkPool: options.taskNetworkPool } : {}),
      clock: () => this.clock.now(),
      onSettled: (action, err) => this.settled(action, err),
      ...(options.images
        ? { images: options.images, scopeOf: (arn: string) => this.scopes.get(arn) ?? arn }
        : {}),
      ...(options.injector ? { injector: options.injector } : {}),
    });
    this.loop = new ControllerLoop<string>({
      name: loopName,
      reconcile: (_key, context) => this.reconcile(context),
      keys: () => [this.containerInstanceArn],
      workers: 1,
      // The agent's own resync (start) also drops what it knows of the engine's containers.
      resyncMs: 0,
      queue: backoff,
      clock: this.clock,
      logger: options.logger ?? silentLogger,
      counters: options.counters ?? new Counters(),
    });
  }

  get connected(): boolean | undefined {
    return this.connectedState;
  }

  status(): InstanceAgentStatus {
    return {
      connected: this.connectedState,
      passes: this.passCount,
      actionsInFlight: this.executor.busy,
      lastResult: this.lastResult,
    };
  }

  /**
   * Connects to the engine, registers (or refreshes) the ContainerInstance and starts the loop.
   * Resolves once the first connection attempt is done; an engine that does not answer yet is
   * retried on every heartbeat.
   */
  async start(): Promise<void> {
    if (this.stopped) return;
    await this.loop.start();
    // The loop owns what feeds it: the task watch and the agent's timers end when it stops.
    this.loop.own(
      this.store.taskChanges(this.containerInstanceArn).subscribe(() => this.kick()),
      unsubscribable(
        every(this.clock, this.options.resyncIntervalMs ?? 30_000, () => {
          this.fullResync = true;
          this.kick();
        }),
      ),
      unsubscribable(
        every(this.clock, this.options.heartbeatIntervalMs ?? 5_000, () => void this.heartbeat()),
      ),
    );
    await this.heartbeat();
  }

  /**
   * Stops the loop: aborts the pass in flight (it writes nothing more and stop does not wait for
   * its engine call), disposes the watch and timers; by default waits for container actions already running.
   */
  async stop(options: { readonly waitForActions?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.eventsSubscription?.unsubscribe();
    await this.loop.stop();
    for (const w of this.passWaiters.splice(0)) w();
    if (options.waitForActions ?? true) await this.executor.idle();
  }

  /** Asks for a reconcile pass (coalesced: one runs at a time, and one more after it if asked again). */
  kick(): void {
    if (this.stopped) return;
    this.loop.enqueue(this.containerInstanceArn);
  }

  /** Resolves after a pass that starts after this call has finished (tests and shutdown use it). */
  async sync(): Promise<void> {
    if (this.stopped) return;
    const done = new Promise<void>((resolve) => this.passWaiters.push(resolve));
    this.fullResync = true;
    this.kick();
    await done;
  }

  /**
   * Nothing to do right now: no pass running or queued, no heartbeat in flight. A pass waiting on a
   * timer (back-off, requeueAfter) and container actions waiting on the engine do not count (a
   * simulation's engine answers them when its clock moves).
   */
  get idle(): boolean {
    return this.loop.idle && this.connecting === undefined;
  }

  /** Pings the engine now rather than at the next heartbeat (an engine known to be back); resolves when done. */
  checkEngine(): Promise<void> {
    return this.heartbeat();
  }

  /** One pass as the loop runs it: an error goes back to the loop (back-off; none for a TerminalError). */
  private async reconcile({ signal }: ReconcileContext): Promise<ReconcileOutcome | undefined> {
    const waiters = this.passWaiters.splice(0);
    try {
      return await this.pass(signal);
    } catch (err) {
      if (!signal.aborted) {
        this.options.onError?.(err, 'reconcile');
        // Not an answer from the engine (a refused connection, a timeout): is it still there?
        if (engineStatus(err) === undefined) void this.heartbeat();
      }
      throw err;
    } finally {
      for (const w of waiters) w();
    }
  }

  private settled(action: ContainerAction, err: unknown): void {
    this.options.onAction?.(action, err);
    if (err !== undefined)
      this.options.onError?.(err, `${action.type} ${'containerId' in action ? action.containerId : ''}`);
    if ('containerId' in action) this.dirty.add(action.containerId);
    else if (action.type === 'CreateContainer') this.fullResync = true; // the new container is found by listing
    this.kick();
  }

  private async heartbeat(): Promise<void> {
    if (this.stopped) return;
    if (this.connecting) return this.connecting;
    this.connecting = (async () => {
      try {
        await this.engine.ping(this.options.heartbeatTimeoutMs ?? 3_000);
        if (this.connectedState !== true) await this.onConnected();
      } catch (err) {
        if (this.connectedState !== false) await this.onDisconnected(err);
        // A refused certificate or key does not heal by waiting: every attempt is reported.
        else if (err instanceof EngineSecurityError) this.options.onError?.(err, 'heartbeat');
      }
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async onConnected(): Promise<void> {
    const info = await this.engine.info();
    await this.updateInstance((existing) => instanceRecord(info, this.options, this.clock.now(), existing));
    this.connectedState = true;
    this.fullResync = true;
    this.watchEngine();
    this.kick();
  }

  private async onDisconnected(err: unknown): Promise<void> {
    this.options.onError?.(err, 'heartbeat');
    this.connectedState = false;
    this.eventsSubscription?.unsubscribe();
    this.eventsSubscription = undefined;
    try {
      // agentDisconnectedAt starts the service controller's lost-instance clock.
      await this.updateInstance((existing) =>
        existing
          ? existing.agentConnected === false && existing.agentDisconnectedAt !== undefined
            ? existing
            : { ...existing, agentConnected: false, agentDisconnectedAt: this.clock.now() }
          : undefined,
      );
    } catch (e) {
      this.options.onError?.(e, 'instance');
    }
  }

  private watchEngine(): void {
    this.eventsSubscription?.unsubscribe();
    this.eventsSubscription = this.engine.events(this.label).subscribe({
      next: (e) => {
        this.dirty.add(e.id);
        this.kick();
      },
      // The stream ends when the daemon goes away: find out at once rather than at the next heartbeat.
      error: () => this.streamEnded(),
      complete: () => this.streamEnded(),
    });
  }

  private streamEnded(): void {
    if (this.stopped || this.connectedState !== true) return;
    this.connectedState = undefined;
    void this.heartbeat();
  }

  /** Read-modify-write of the instance record with compare-and-set, retried on conflict. */
  private async updateInstance(
    change: (existing: ContainerInstance | undefined) => ContainerInstance | undefined,
  ): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.store.instance(this.containerInstanceArn);
      const next = change(current?.object);
      if (!next) return;
      if (await this.store.putInstance(next, current?.version)) return;
    }
    throw new Error(`could not update ${this.containerInstanceArn}: too many conflicting writes`);
  }

  private async observe(): Promise<ObservedContainer[]> {
    const ids = await this.engine.listContainerIds(this.label);
    if (this.fullResync) {
      this.fullResync = false;
      this.observedCache.clear();
    }
    const present = new Set(ids);
    for (const id of [...this.observedCache.keys()]) if (!present.has(id)) this.observedCache.delete(id);
    for (const id of ids) {
      if (this.observedCache.has(id) && !this.dirty.has(id)) continue;
      this.dirty.delete(id);
      const o = await this.engine.inspect(id);
      if (o) this.observedCache.set(id, o);
      else this.observedCache.delete(id);
    }
    return [...this.observedCache.values()];
  }

  private async definitions(tasks: readonly Versioned<Task>[]): Promise<Map<string, TaskDefinition>> {
    for (const arn of new Set(tasks.map((t) => t.object.taskDefinitionArn))) {
      if (this.taskDefinitions.has(arn)) continue;
      // Task definition revisions never change, so one read per revision is enough.
      const td = await this.store.taskDefinition(arn);
      if (td) this.taskDefinitions.set(arn, td);
    }
    return this.taskDefinitions;
  }

  private async pass(signal: AbortSignal): Promise<ReconcileOutcome | undefined> {
    if (this.connectedState !== true || signal.aborted) return undefined;
    // Each engine or store call ends the pass when the loop stops, without waiting for its answer.
    const step = <T>(work: Promise<T>) => untilAborted(signal, work);
    this.passCount++;
    const observed = await step(this.observe());
    const images = await step(this.engine.imageRefs());
    const volumes = await step(this.engine.volumes?.() ?? Promise.resolve([]));
    const tasks = await step(this.store.tasksOf(this.containerInstanceArn));
    this.scopes.clear();
    for (const t of tasks)
      this.scopes.set(t.object.taskArn, t.object.startedBy ?? t.object.taskDefinitionArn);
    const taskDefinitions = await step(this.definitions(tasks));
    const result = reconcileInstance({
      instance: {
        containerInstanceArn: this.containerInstanceArn,
        ...(this.options.gpus ? { gpus: this.options.gpus } : {}),
      },
      tasks: tasks.map((t) => t.object),
      taskDefinitions,
      observed,
      images,
      volumes,
      outcomes: this.executor.outcomes(),
      now: this.clock.now(),
      ...(this.options.settings ? { settings: this.options.settings } : {}),
    });
    this.lastResult = result;

    const byArn = new Map(tasks.map((t) => [t.object.taskArn, t]));
    let conflict = false;
    for (const u of result.taskUpdates) {
      const entry = byArn.get(u.taskArn);
      if (entry && !(await step(this.store.updateTask(entry, u.changes)))) conflict = true;
    }
    if (conflict) {
      // Someone else wrote a task meanwhile: plan again from what is there now (at once, no back-off) before acting.
      this.loop.enqueue(this.containerInstanceArn);
      return undefined;
    }
    this.executor.dispatch(result.actions);

    const stoppedNow = new Set(
      tasks
        .filter(
          (t) =>
            (result.taskUpdates.find((u) => u.taskArn === t.object.taskArn)?.changes.lastStatus ??
              t.object.lastStatus) === 'STOPPED',
        )
        .map((t) => t.object.taskArn),
    );
    this.executor.retainOutcomes((arn) => byArn.has(arn) && !stoppedNow.has(arn));

    const counts = JSON.stringify(result.instance);
    if (counts !== this.lastCounts) {
      await step(
        this.updateInstance((existing) => (existing ? { ...existing, ...result.instance } : undefined)),
      );
      this.lastCounts = counts;
    }
    return result.requeueAfterMs !== undefined ? { requeueAfterMs: result.requeueAfterMs } : undefined;
  }
}

/** A cancel function as a subscription the loop can own. */
function unsubscribable(cancel: () => void): { unsubscribe(): void } {
  return { unsubscribe: cancel };
}
