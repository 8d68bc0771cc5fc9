import type { Clock, Logger } from '@baton-ecs/loop';
import type { ContainerInstance } from '@baton-ecs/model';
import type { BatonKinds, Entry, Store } from '@baton-ecs/store';
import { agentLock } from './baton-ha.js';
import type { LeaderLock, LockingStore } from './lock.js';

export interface AgentPresenceOptions {
  /** Writes, fenced on the controller's term. */
  readonly store: Store<BatonKinds>;
  /** Where the agents' locks are (the unfenced etcd store). */
  readonly locks: LockingStore;
  readonly instances: () => Iterable<Entry<ContainerInstance>>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often the locks are looked at. Default 2 s (the elector's retry period). */
  readonly everyMs?: number;
}

/**
 * The control plane's half of ECS's lost-instance rule when agents run elsewhere. Every agent — a
 * `baton agent` on its host, or a replica running an engine it was configured with — holds the
 * lease-backed lock `agent/<containerInstanceArn>` while it runs. An ACTIVE instance that says its
 * agent is connected but whose lock has no holder has lost its agent (the process died, or its host
 * was cut off and the lease expired): it is marked `agentConnected: false` with
 * `agentDisconnectedAt`, which starts the service controller's `instanceLostAfterMs` clock. The agent
 * marks it connected again when it is back (and holds the lock again). Runs on the leader only.
 */
export function watchAgentPresence(o: AgentPresenceOptions): () => void {
  const locks = new Map<string, LeaderLock>();
  const lockOf = (arn: string) => {
    let lock = locks.get(arn);
    if (!lock) {
      lock = o.locks.leaseLock(agentLock(arn));
      locks.set(arn, lock);
    }
    return lock;
  };
  let stopped = false;
  let handle: unknown;
  const check = async () => {
    for (const entry of [...o.instances()]) {
      const i = entry.object;
      if (stopped) return;
      if (i.status === 'INACTIVE' || i.agentConnected === false) continue;
      if (await lockOf(i.containerInstanceArn).holder()) continue;
      const now = o.clock.now();
      await o.store
        .update('ContainerInstance', i.containerInstanceArn, (draft) => {
          if (draft.agentConnected === false) return;
          draft.agentConnected = false;
          draft.agentDisconnectedAt = now;
        })
        .then(
          () =>
            o.logger({
              level: 'warn',
              msg: 'agent lost: its lock has no holder; the instance is disconnected',
              instance: i.ec2InstanceId,
            }),
          // A conflicting write (the agent reconnecting) or a lost term: the next round decides again.
          () => undefined,
        );
    }
  };
  const tick = () => {
    void check()
      .catch((error: unknown) =>
        o.logger({ level: 'warn', msg: 'agent presence check failed; retrying', error: String(error) }),
      )
      .finally(() => {
        if (!stopped) handle = o.clock.setTimeout(tick, o.everyMs ?? 2_000);
      });
  };
  handle = o.clock.setTimeout(tick, o.everyMs ?? 2_000);
  return () => {
    stopped = true;
    o.clock.clearTimeout(handle);
    for (const lock of locks.values()) lock.close();
  };
}
