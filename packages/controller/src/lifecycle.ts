import type { Cluster } from '@baton-ecs/model';
import type { EngineSpec } from '@baton-ecs/runtime-docker';
import { AlreadyExistsError } from '@baton-ecs/store';
import type { Subscription } from 'rxjs';
import type { BatonParts } from './wiring.js';

/** Something Baton started beside its parts (a capacity controller): stopped with Baton. */
export interface Stoppable {
  stop(): void | Promise<void>;
}

/**
 * Starts and stops Baton's parts in order, one path with or without leader election: caches
 * first, then the loops every replica runs, then what this replica leads (its role). `stop()`
 * undoes all of it — every loop, watch, timer and subscription — and closes the store if Baton
 * made it; containers keep running.
 */
export class BatonLifecycle {
  private started = false;
  private readonly subscriptions: Subscription[] = [];
  private readonly attached: Stoppable[] = [];

  constructor(
    private readonly parts: BatonParts,
    private readonly engines: readonly EngineSpec[],
  ) {}

  get running(): boolean {
    return this.started;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const {
      storeHealth,
      informers,
      role,
      targetGroups,
      elbv2,
      scaling,
      logCollector,
      logger,
      defaultCluster,
    } = this.parts;
    storeHealth.start();
    for (const i of Object.values(informers)) i.start();
    await Promise.all(Object.values(informers).map((i) => i.synced));
    await this.ensureCluster(defaultCluster);
    // Target health feeds the service controller: a group's change re-reconciles the services naming it.
    this.subscriptions.push(
      informers.targetGroups.changes.subscribe((c) => {
        for (const e of informers.services.values())
          if (e.object.loadBalancers.some((lb) => lb.targetGroupArn === c.key))
            role.controller?.loop.enqueue(e.key);
      }),
    );
    targetGroups.start();
    // Every replica runs the stored listeners' balancers (each on its own 127.0.0.1).
    elbv2.startListeners();
    scaling.start();
    logCollector.start();
    await role.start(this.engines, defaultCluster);
    logger({ level: 'info', msg: 'baton started', cluster: defaultCluster, engines: this.engines.length });
  }

  /** Stops `part` with Baton (at once if Baton is not running). */
  attach(part: Stoppable): void {
    this.attached.push(part);
  }

  async stop(): Promise<void> {
    const {
      role,
      agents,
      scaling,
      logCollector,
      elbv2,
      targetGroups,
      informers,
      states,
      storeHealth,
      store,
    } = this.parts;
    for (const part of this.attached.splice(0)) await part.stop();
    if (!this.started) return;
    this.started = false;
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    // Leaders stop acting, then release their locks so another replica takes over at once.
    await role.stop();
    // In-flight engine calls finish on the engine by themselves; containers keep running.
    await agents.stopAll();
    scaling.stop();
    await logCollector.stop();
    await this.parts.metadataEndpoint.close();
    await elbv2.close();
    await targetGroups.stop();
    for (const i of Object.values(informers)) i.stop();
    states.dispose();
    await this.parts.writes.flush();
    if (this.parts.ownsStore) await store.close();
    storeHealth.stop();
    this.parts.logger({ level: 'info', msg: 'baton stopped' });
  }

  private async ensureCluster(name: string): Promise<Cluster> {
    const { store, ecs } = this.parts;
    const existing = await store.get('Cluster', name);
    if (existing) return existing.object;
    return ecs.createCluster({ clusterName: name }).catch(async (err: unknown) => {
      // Another replica created it meanwhile.
      const created = err instanceof AlreadyExistsError ? await store.get('Cluster', name) : undefined;
      if (!created) throw err;
      return created.object;
    });
  }
}
