import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Counters, Logger } from '@baton-ecs/loop';
import {
  containerInstanceArnOf,
  type EngineSpec,
  InstanceAgent,
  type InstanceAgentOptions,
  storeAgentStore,
} from '@baton-ecs/runtime-docker';
import { type BatonKinds, type Store, withFence } from '@baton-ecs/store';
import { agentLock } from '../leader/baton-ha.js';
import { type LeaderElectionOptions, LeaderElector, type LeaderState } from '../leader/elector.js';
import type { LockingStore } from '../leader/lock.js';

export interface HostAgentOptions {
  /** The cluster's store on etcd (`etcdStore({ prefix: '/baton/<cluster>' })`). */
  readonly store: Store<BatonKinds> & LockingStore;
  readonly cluster: string;
  /** The local engine, with this host's instance id, attributes and reservations. */
  readonly engine: EngineSpec;
  readonly election?: LeaderElectionOptions;
  /** The task agent's own settings (heartbeats, resync, pull behaviour…). */
  readonly agent?: Omit<
    InstanceAgentOptions,
    'store' | 'cluster' | keyof EngineSpec | 'onError' | 'engine' | 'clock' | 'logger' | 'counters'
  >;
  readonly logger: Logger;
  /** Where the task agent's pass loop counts (`baton_reconcile_total{controller="task-agent"}`…); default its own. */
  readonly counters?: Counters;
}

/**
 * ECS's container agent as a process of its own on each host: it drives the local engine only and
 * talks to nothing but etcd. It holds the lease-backed lock `agent/<containerInstanceArn>` — its
 * heartbeat: the control plane declares the instance's agent disconnected when no one holds it —
 * and while it holds it runs the task agent, writing through a store fenced on that lock, so once
 * its lease has expired (its host cut off long enough for the instance to be declared lost) its
 * late writes are refused. A new term starts a fresh task agent, which re-registers the instance,
 * adopts the containers it finds and stops those whose tasks were stopped meanwhile.
 */
export class HostAgent {
  readonly containerInstanceArn: string;
  private readonly elector: LeaderElector;
  private current: InstanceAgent | undefined;

  constructor(o: HostAgentOptions) {
    this.containerInstanceArn = containerInstanceArnOf({
      cluster: o.cluster,
      instanceId: o.engine.instanceId,
    });
    this.elector = new LeaderElector(
      o.store.leaseLock(agentLock(this.containerInstanceArn)),
      o.election ?? {},
      {
        onStartedLeading: async (term) => {
          const agent = new InstanceAgent({
            ...o.agent,
            ...o.engine,
            store: storeAgentStore(withFence(o.store, term.fence)),
            cluster: o.cluster,
            // The pass loop's lines (a failed pass, with its reconcile id and back-off) and its metrics.
            logger: o.logger,
            ...(o.counters ? { counters: o.counters } : {}),
            onError: (error, context) => {
              if (context === 'reconcile') return; // the loop logged it
              o.logger({
                level: 'warn',
                msg: 'agent error; retrying',
                instance: o.engine.instanceId,
                context,
                error: String(error),
              });
            },
          });
          this.current = agent;
          await agent.start();
          o.logger({ level: 'info', msg: 'agent running', instance: this.containerInstanceArn });
        },
        onStoppedLeading: async (_term, reason) => {
          const agent = this.current;
          this.current = undefined;
          o.logger({ level: 'warn', msg: 'agent paused: lost its lock', reason });
          // Containers keep running; the next term adopts them.
          await agent?.stop({ waitForActions: false });
        },
      },
      o.logger,
    );
  }

  /** The task agent of the current term, while this host holds its lock. */
  get agent(): InstanceAgent | undefined {
    return this.current;
  }

  get state(): LeaderState {
    return this.elector.state$.value;
  }

  start(): void {
    this.elector.start();
  }

  /** Stops the task agent and releases the lock; containers keep running. */
  async stop(): Promise<void> {
    await this.elector.stop();
    await this.current?.stop({ waitForActions: false });
  }
}

/**
 * This host's instance id, kept in `stateDir/instance.json` so a restarted agent re-registers as the
 * same container instance (ECS keeps it in /var/lib/ecs/data). Made on first start; an id given
 * explicitly wins and is kept. A state directory that belongs to another cluster is refused.
 */
export function persistedInstanceId(stateDir: string, cluster: string, explicit?: string): string {
  const file = join(stateDir, 'instance.json');
  let saved: { instanceId?: unknown; cluster?: unknown } | undefined;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as typeof saved;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`${file}: unreadable (${(error as Error).message}); remove it to register anew`);
  }
  if (saved && saved.cluster !== cluster)
    throw new Error(
      `${file}: this host is registered in cluster "${String(saved.cluster)}", not "${cluster}"; remove it to move the host`,
    );
  const instanceId =
    explicit ??
    (typeof saved?.instanceId === 'string'
      ? saved.instanceId
      : `i-${randomBytes(9).toString('hex').slice(0, 17)}`);
  if (saved?.instanceId !== instanceId) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(`${file}.tmp`, `${JSON.stringify({ instanceId, cluster })}\n`);
    renameSync(`${file}.tmp`, file);
  }
  return instanceId;
}
