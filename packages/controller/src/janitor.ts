import type { Clock } from '@baton-ecs/loop';
import type { BatonKinds, Store } from '@baton-ecs/store';
import type { Informer } from './informer.js';

export interface StoppedTaskJanitorOptions {
  readonly tasks: Informer<BatonKinds, 'Task'>;
  readonly clock: Clock;
  /** STOPPED tasks stay visible this long after they stopped (ECS keeps them about an hour). */
  readonly retentionMs: number;
}

/**
 * Deletes STOPPED tasks once they are past their retention, sweeping on Baton's clock every
 * min(1 min, retention). A single-writer loop: with leader election only the leader runs it, and
 * it deletes through the leader's fenced store. A task that changed since the sweep read it is
 * left for the next sweep (compare-and-set).
 */
export class StoppedTaskJanitor {
  constructor(private readonly o: StoppedTaskJanitorOptions) {}

  /** Starts sweeping, deleting through `store`; returns the stop function. */
  start(store: Store<BatonKinds>): () => void {
    const { clock, retentionMs } = this.o;
    const every = Math.min(60_000, retentionMs);
    let handle: unknown;
    let stopped = false;
    const tick = () => {
      void this.sweep(store).finally(() => {
        if (!stopped) handle = clock.setTimeout(tick, every);
      });
    };
    handle = clock.setTimeout(tick, every);
    return () => {
      stopped = true;
      clock.clearTimeout(handle);
    };
  }

  /** One sweep: deletes every STOPPED task past its retention; resolves with how many it deleted. */
  async sweep(store: Store<BatonKinds>): Promise<number> {
    const now = this.o.clock.now();
    let deleted = 0;
    for (const e of [...this.o.tasks.values()]) {
      const t = e.object;
      if (t.lastStatus !== 'STOPPED' || now - (t.stoppedAt ?? e.updatedAt) <= this.o.retentionMs) continue;
      const gone = await store.delete('Task', e.key, { ifVersion: e.version }).then(
        () => true,
        () => false,
      );
      if (gone) deleted++;
    }
    return deleted;
  }
}
