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
import { type AgentClock, every, systemAgentClock } from './agent-clock.js';
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
  /** Heartbeats, resyncs, requeues and timestamps; default the system clock (a simulation passes its own). */
  readonly clock?: AgentClock;
  /** Every container action as it finishes, with its error if it failed: for logs and metrics. */
  readonly onAction?: (action: ContainerAction, error: unknown) => void;
  /** Errors the agent recovered from (it retries); default: ignored. */
  readonly onError?: (error: unknown, context: string) => void;
}

export interface InstanceAgentStatus {
  readonly connected: boolean | undefined;
  readonly passes: number;
  readonly actionsInFlight: number;
  readonly lastResult: ReconcileInstanceResult | undefined;
}

const maxBackoffMs = 30_000;

/**
 * ECS's container agent for one Docker engine: observes the engine (events plus a periodic full
 * resync), runs the pure task agent over the instance's Tasks, executes the container actions it
 * returns and writes Task status back with compare-and-set. An engine that stops answering marks
 * the instance `agentConnected=false`; when it answers again the agent re-registers and re-syncs.
 */
export class InstanceAgent {
  readonly containerInstanceArn: string;
  readonly engine: ContainerEngine;
  private readonly store: AgentStore;
  private readonly executor: ActionExecutor;
  private readonly clock: AgentClock;
  private readonly label: string;
  private readonly observedCache = new Map<string, ObservedContainer>();
  /** Task → its image-pinning scope (deployment id, else task definition). */
  private readonly scopes = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private readonly taskDefinitions = new Map<string, TaskDefinition>();
  private readonly subscriptions: Subscription[] = [];
  private eventsSubscription: Subscription | undefined;
  private timers: (() => void)[] = [];
  private requeueTimer: { at: number; handle: unknown } | undefined;
  private fullResync = true;
  private connectedState: boolean | undefined;
  private connecting: Promise<void> | undefined;
  private passRunning: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private backoffMs = 0;
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
    this.clock = options.clock ?? systemAgentClock;
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
    this.subscriptions.push(this.store.taskChanges(this.containerInstanceArn).subscribe(() => this.kick()));
    this.timers.push(
      every(this.clock, this.options.resyncIntervalMs ?? 30_000, () => {
        this.fullResync = true;
        this.kick();
      }),
      every(this.clock, this.options.heartbeatIntervalMs ?? 5_000, () => void this.heartbeat()),
    );
    await this.heartbeat();
  }

  /** Stops the loop; by default waits for container actions already running. */
  async stop(options: { readonly waitForActions?: boolean } = {}): Promise<void> {
    this.stopped = true;
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    this.eventsSubscription?.unsubscribe();
    for (const cancel of this.timers.splice(0)) cancel();
    if (this.requeueTimer) this.clock.clearTimeout(this.requeueTimer.handle);
    await this.passRunning;
    if (options.waitForActions ?? true) await this.executor.idle();
  }

  /** Asks for a reconcile pass (coalesced: one runs at a time, and one more after it if asked again). */
  kick(): void {
    if (this.stopped) return;
    if (this.passRunning) {
      this.again = true;
      return;
    }
    this.passRunning = this.loop().finally(() => {
      this.passRunning = undefined;
    });
  }

  /** Resolves after a pass that starts after this call has finished (tests and shutdown use it). */
  async sync(): Promise<void> {
    if (this.stopped) return;
    const done = new Promise<void>((resolve) => this.passWaiters.push(resolve));
    this.fullResync = true;
    this.kick();
    if (this.passRunning) this.again = true;
    await done;
  }

  /**
   * Nothing to do right now: no pass running or asked for, no heartbeat in flight. Container actions
   * waiting on the engine do not count (a simulation's engine answers them when its clock moves).
   */
  get idle(): boolean {
    return this.passRunning === undefined && this.connecting === undefined;
  }

  /** Pings the engine now rather than at the next heartbeat (an engine known to be back); resolves when done. */
  checkEngine(): Promise<void> {
    return this.heartbeat();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const waiters = this.passWaiters.splice(0);
      try {
        await this.pass();
        this.backoffMs = 0;
      } catch (err) {
        this.options.onError?.(err, 'reconcile');
        if (engineStatus(err) === undefined) void this.heartbeat();
        this.backoffMs = Math.min(maxBackoffMs, this.backoffMs ? this.backoffMs * 2 : 250);
        this.requeue(this.backoffMs);
      }
      for (const w of waiters) w();
    } while (this.again && !this.stopped);
  }

  private requeue(afterMs: number): void {
    if (this.stopped) return;
    const at = this.clock.now() + afterMs;
    if (this.requeueTimer && this.requeueTimer.at <= at) return;
    if (this.requeueTimer) this.clock.clearTimeout(this.requeueTimer.handle);
    this.requeueTimer = {
      at,
      handle: this.clock.setTimeout(() => {
        this.requeueTimer = undefined;
        this.kick();
      }, afterMs),
    };
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

  private async pass(): Promise<void> {
    if (this.connectedState !== true || this.stopped) return;
    this.passCount++;
    const observed = await this.observe();
    const images = await this.engine.imageRefs();
    const volumes = (await this.engine.volumes?.()) ?? [];
    const tasks = await this.store.tasksOf(this.containerInstanceArn);
    this.scopes.clear();
    for (const t of tasks)
      this.scopes.set(t.object.taskArn, t.object.startedBy ?? t.object.taskDefinitionArn);
    const taskDefinitions = await this.definitions(tasks);
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
      if (entry && !(await this.store.updateTask(entry, u.changes))) conflict = true;
    }
    if (conflict) {
      // Someone else wrote a task meanwhile: plan again from what is there now before acting.
      this.again = true;
      return;
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
      await this.updateInstance((existing) => (existing ? { ...existing, ...result.instance } : undefined));
      this.lastCounts = counts;
    }
    if (result.requeueAfterMs !== undefined) this.requeue(result.requeueAfterMs);
  }
}
