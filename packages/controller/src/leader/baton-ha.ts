import type { Clock, Logger } from '@baton-ecs/loop';
import { containerInstanceArnOf, type EngineSpec, type InstanceAgent } from '@baton-ecs/runtime-docker';
import { type BatonKinds, type Store, withFence } from '@baton-ecs/store';
import { combineLatest, map, type Observable, Subject } from 'rxjs';
import type { Informer } from '../informer.js';
import type { ReplicaRole } from '../replica.js';
import type { ServiceController, ServiceEventNotice } from '../service-controller.js';
import { catchUp, termInformer } from './caches.js';
import { type LeaderElectionOptions, LeaderElector, type LeaderState, type LeaderTerm } from './elector.js';
import { LeaderStore } from './leader-store.js';
import type { LockingStore } from './lock.js';

export interface BatonInformers {
  readonly services: Informer<BatonKinds, 'Service'>;
  readonly tasks: Informer<BatonKinds, 'Task'>;
  readonly instances: Informer<BatonKinds, 'ContainerInstance'>;
  readonly taskDefinitions: Informer<BatonKinds, 'TaskDefinition'>;
  readonly clusters: Informer<BatonKinds, 'Cluster'>;
}

export type ControllerInformers = Omit<BatonInformers, 'clusters'>;

export interface BatonHaOptions {
  readonly store: Store<BatonKinds> & LockingStore;
  readonly election: LeaderElectionOptions;
  readonly logger: Logger;
  readonly informers: BatonInformers;
  /** A service controller that writes through `store` and reads `informers`. */
  readonly serviceController: (store: Store<BatonKinds>, informers: ControllerInformers) => ServiceController;
  /** Other leader-only work (the stopped-task janitor): started per term, returns its stop. */
  readonly leaderWork?: (store: Store<BatonKinds>) => () => void;
  /** Starts an engine's agent writing through `store`; `stopAgent` undoes it. */
  readonly startAgent: (
    engine: EngineSpec,
    cluster: string,
    store: Store<BatonKinds>,
  ) => Promise<InstanceAgent>;
  readonly stopAgent: (agent: InstanceAgent) => Promise<void>;
  /** How long a new leader waits for its caches to catch up with the store. Default 10 s. */
  readonly catchUpTimeoutMs?: number;
  /** Baton's clock: what the catch-up timeout runs on. */
  readonly clock?: Clock;
}

/** The lock the service controller (and the janitor) run under: one per store, so one per etcd prefix. */
export const CONTROLLER_LOCK = 'service-controller';
/** Each engine's agent has its own lock, so replicas that share an engine run its agent one at a time. */
export const agentLock = (containerInstanceArn: string) => `agent/${containerInstanceArn}`;

/**
 * Baton's single-writer loops under leader election. Every replica keeps its informers warm and
 * answers reads; the holder of `service-controller` runs the service controller and the janitor;
 * for each engine a replica is configured with, the holder of that engine's lock runs its task
 * agent. Each term writes through a store fenced on its lock, so a deposed holder's late writes are
 * refused by etcd.
 */
export class BatonHa implements ReplicaRole {
  readonly serviceEvents = new Subject<ServiceEventNotice>();
  /** The service controller of the current term, while this replica leads. */
  controller: ServiceController | undefined;
  /**
   * Writes through the current controller term's fence, refused while this replica does not lead:
   * for the loops every replica runs but only the leader may write from (target groups, scaling).
   */
  readonly leaderStore: Store<BatonKinds>;
  private controllerTerm: LeaderTerm | undefined;
  private readonly electors = new Map<string, LeaderElector>();

  constructor(private readonly o: BatonHaOptions) {
    this.leaderStore = new LeaderStore(
      o.store,
      () => (this.controllerTerm?.ended.aborted === false ? this.controllerTerm.fence : undefined),
      CONTROLLER_LOCK,
    );
  }

  /** Campaigns for the controller lock and each engine's agent lock. */
  async start(engines: readonly EngineSpec[], cluster: string): Promise<void> {
    this.elect(CONTROLLER_LOCK, (term) => this.leadControllers(term));
    for (const engine of engines) this.campaignFor(engine, cluster);
  }

  /** Campaigns for an engine's agent lock (idempotent); the agent runs while this replica holds it. */
  async addEngine(engine: EngineSpec, cluster: string): Promise<string> {
    return this.campaignFor(engine, cluster);
  }

  private campaignFor(engine: EngineSpec, cluster: string): string {
    const arn = containerInstanceArnOf({ ...engine, cluster });
    this.elect(agentLock(arn), async (term) => {
      const agent = await this.o.startAgent(engine, cluster, withFence(this.o.store, term.fence));
      return () => this.o.stopAgent(agent);
    });
    return arn;
  }

  /** Every lock this replica campaigns for, and whether it holds it. */
  get leadership(): readonly LeaderState[] {
    return [...this.electors.values()].map((e) => e.state$.value);
  }

  /** Emits the whole leadership picture whenever any lock changes hands. */
  get leadership$(): Observable<readonly LeaderState[]> {
    return combineLatest([...this.electors.values()].map((e) => e.state$)).pipe(map((s) => [...s]));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.electors.values()].map((e) => e.stop()));
    this.electors.clear();
    this.serviceEvents.complete();
  }

  private elect(lock: string, lead: (term: LeaderTerm) => Promise<() => Promise<void> | void>): void {
    if (this.electors.has(lock)) return;
    const stops = new Map<LeaderTerm, Promise<() => Promise<void> | void>>();
    const elector = new LeaderElector(
      this.o.store.leaseLock(lock),
      this.o.election,
      {
        onStartedLeading: async (term) => {
          const started = lead(term);
          stops.set(term, started);
          await started;
        },
        onStoppedLeading: async (term) => {
          const started = stops.get(term);
          stops.delete(term);
          const stop = await started?.catch(() => undefined);
          await stop?.();
        },
      },
      this.o.logger,
    );
    this.electors.set(lock, elector);
    elector.start();
  }

  private async leadControllers(term: LeaderTerm): Promise<() => Promise<void>> {
    const { informers, logger } = this.o;
    this.controllerTerm = term;
    const caught = await catchUp(
      this.o.store,
      [
        informers.clusters,
        informers.taskDefinitions,
        informers.instances,
        informers.tasks,
        informers.services,
      ],
      this.o.catchUpTimeoutMs ?? 10_000,
      term.ended,
      this.o.clock,
    );
    if (term.ended.aborted) return async () => {};
    if (!caught)
      logger({ level: 'warn', msg: 'caches did not catch up with the store in time; leading anyway' });
    const store = withFence(this.o.store, term.fence);
    const scoped = {
      taskDefinitions: termInformer(informers.taskDefinitions, term.ended),
      instances: termInformer(informers.instances, term.ended),
      tasks: termInformer(informers.tasks, term.ended),
      services: termInformer(informers.services, term.ended),
    };
    const controller = this.o.serviceController(store, {
      taskDefinitions: scoped.taskDefinitions.informer,
      instances: scoped.instances.informer,
      tasks: scoped.tasks.informer,
      services: scoped.services.informer,
    });
    // Definitions and instances before tasks and services: the order a fresh controller sees them in.
    for (const s of [scoped.taskDefinitions, scoped.instances, scoped.tasks, scoped.services]) s.connect();
    controller.events.subscribe({ next: (n) => this.serviceEvents.next(n) });
    this.controller = controller;
    await controller.start();
    const stopWork = this.o.leaderWork?.(store);
    return async () => {
      stopWork?.();
      if (this.controllerTerm === term) this.controllerTerm = undefined;
      if (this.controller === controller) this.controller = undefined;
      await controller.stop();
    };
  }
}
