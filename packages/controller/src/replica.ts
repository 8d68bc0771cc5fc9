import type { EngineSpec } from '@baton-ecs/runtime-docker';
import type { BatonKinds, Store } from '@baton-ecs/store';
import { BehaviorSubject, type Observable } from 'rxjs';
import type { BatonAgents } from './agents.js';
import type { LeaderState } from './leader/index.js';
import type { ServiceController, ServiceEventNotice } from './service-controller.js';

/**
 * What this replica runs of Baton's single-writer work — the service controller, the stopped-task
 * janitor and the engines' agents. With leader election (BatonHa) each runs while this replica holds
 * its lock; without it (SoleReplica) this replica is the only one and runs them all. Baton starts
 * and stops either the same way.
 */
export interface ReplicaRole {
  /** The service controller running now (with leader election: the current term's, while leading). */
  readonly controller: ServiceController | undefined;
  readonly serviceEvents: Observable<ServiceEventNotice>;
  /** Where the loops every replica runs (target groups, scaling) write: refused while not leading. */
  readonly leaderStore: Store<BatonKinds>;
  readonly leadership: readonly LeaderState[];
  readonly leadership$: Observable<readonly LeaderState[]>;
  start(engines: readonly EngineSpec[], cluster: string): Promise<void>;
  /** Adds an engine; resolves with its container instance ARN once its agent is started or campaigning. */
  addEngine(engine: EngineSpec, cluster: string): Promise<string>;
  /** Stops the controller, the janitor and the agents this role started. */
  stop(): Promise<void>;
}

export interface SoleReplicaOptions {
  readonly store: Store<BatonKinds>;
  readonly controller: ServiceController;
  readonly agents: BatonAgents;
  /** Other single-writer work (the janitor): returns its stop. */
  readonly leaderWork: (store: Store<BatonKinds>) => () => void;
}

/** The only replica: it leads everything, from start to stop. It campaigns for no lock, so its leadership is empty. */
export class SoleReplica implements ReplicaRole {
  readonly controller: ServiceController;
  readonly serviceEvents: Observable<ServiceEventNotice>;
  readonly leaderStore: Store<BatonKinds>;
  readonly leadership: readonly LeaderState[] = [];
  private readonly leadershipSubject = new BehaviorSubject<readonly LeaderState[]>([]);
  private stopWork: (() => void) | undefined;

  constructor(private readonly o: SoleReplicaOptions) {
    this.controller = o.controller;
    this.serviceEvents = o.controller.events.asObservable();
    this.leaderStore = o.store;
  }

  /** Emits the (empty) leadership picture at once, and completes on stop. */
  get leadership$(): Observable<readonly LeaderState[]> {
    return this.leadershipSubject.asObservable();
  }

  async start(engines: readonly EngineSpec[], cluster: string): Promise<void> {
    await this.controller.start();
    for (const engine of engines) await this.o.agents.start(engine, cluster);
    this.stopWork = this.o.leaderWork(this.o.store);
  }

  async addEngine(engine: EngineSpec, cluster: string): Promise<string> {
    return (await this.o.agents.start(engine, cluster)).containerInstanceArn;
  }

  async stop(): Promise<void> {
    this.stopWork?.();
    this.stopWork = undefined;
    await this.o.agents.stopAll();
    await this.controller.stop();
    this.leadershipSubject.complete();
  }
}
