import type { Clock, Counters, Logger } from '@baton-ecs/loop';
import {
  type ContainerEngine,
  DockerRuntime,
  type EngineSpec,
  type ImagePinner,
  type InstanceAgent,
  storeAgentStore,
} from '@baton-ecs/runtime-docker';
import type { BatonKinds, Store } from '@baton-ecs/store';
import type { BatonOptions } from './baton-options.js';
import { containerActionReporter } from './container-actions.js';
import type { BatonInjector } from './secrets/injector.js';
import { batchedAgentStore, WriteBatcher } from './write-batcher.js';

export interface BatonAgentsOptions {
  readonly store: Store<BatonKinds>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly counters: Counters;
  /** The agents' task status writes, grouped into commits (one batcher per store). */
  readonly writes: WriteBatcher;
  readonly agent?: BatonOptions['agent'];
  readonly images?: ImagePinner;
  readonly injector: BatonInjector;
  /** Where each task's FireLens socket directory lives on the engines' host. */
  readonly firelensDir: string;
}

/**
 * Baton's task agents, one per Docker engine (container instance): starts each over a store
 * (Baton's, or a fenced one for one engine-lock term), finds them by container instance, and
 * stops them — leaving their containers running.
 */
export class BatonAgents {
  private readonly agents = new Map<string, InstanceAgent>();

  constructor(private readonly o: BatonAgentsOptions) {}

  get size(): number {
    return this.agents.size;
  }

  get(containerInstanceArn: string): InstanceAgent | undefined {
    return this.agents.get(containerInstanceArn);
  }

  /** The engine behind a container instance, while its agent runs here. */
  engineOf(containerInstanceArn: string): ContainerEngine | undefined {
    return this.agents.get(containerInstanceArn)?.engine;
  }

  /** Starts the engine's agent (or returns the one already running for its container instance). */
  async start(
    engine: EngineSpec,
    cluster: string,
    store: Store<BatonKinds> = this.o.store,
  ): Promise<InstanceAgent> {
    const { agent: a, clock, logger, counters } = this.o;
    // A fenced store (one engine-lock term) gets a batcher of its own.
    const writes = store === this.o.store ? this.o.writes : new WriteBatcher(store, { clock });
    const runtime = new DockerRuntime({
      store: batchedAgentStore(storeAgentStore(store, { clock }), writes),
      cluster,
      engines: [engine],
      clock,
      ...(a?.engineFor ? { engine: a.engineFor(engine) } : {}),
      ...(a?.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: a.heartbeatIntervalMs } : {}),
      ...(a?.heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs: a.heartbeatTimeoutMs } : {}),
      ...(a?.resyncIntervalMs !== undefined ? { resyncIntervalMs: a.resyncIntervalMs } : {}),
      ...(a?.concurrency !== undefined ? { concurrency: a.concurrency } : {}),
      ...(this.o.images ? { images: this.o.images } : {}),
      settings: { firelensDir: this.o.firelensDir, ...a?.settings },
      injector: this.o.injector,
      onAction: containerActionReporter(engine.instanceId, logger, counters),
      // The agent's pass loop logs (with each pass's reconcile id) and counts into Baton's metrics.
      logger,
      counters,
      onError: (error, context) => {
        // A failed pass is logged by the loop itself, with its reconcile id, attempt and back-off.
        if (context === 'reconcile') return;
        logger({
          level: 'warn',
          msg: 'agent error; retrying',
          instance: engine.instanceId,
          context,
          error: String(error),
        });
      },
    });
    const agent = runtime.agents[0]!;
    const running = this.agents.get(agent.containerInstanceArn);
    if (running) return running;
    this.agents.set(agent.containerInstanceArn, agent);
    await agent.start();
    return agent;
  }

  /** Stops this agent (if it is still the one registered for its instance, it is forgotten). */
  async stop(agent: InstanceAgent): Promise<void> {
    if (this.agents.get(agent.containerInstanceArn) === agent) this.agents.delete(agent.containerInstanceArn);
    await agent.stop({ waitForActions: false });
  }

  /** Stops and forgets the agent of a container instance, if one runs here. */
  async remove(containerInstanceArn: string): Promise<void> {
    const agent = this.agents.get(containerInstanceArn);
    if (agent) await this.stop(agent);
  }

  /** Stops every agent; in-flight engine calls finish on the engine by themselves. */
  async stopAll(): Promise<void> {
    const all = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(all.map((a) => a.stop({ waitForActions: false })));
  }
}
