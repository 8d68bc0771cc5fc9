import { type Clock, systemClock } from '@baton-ecs/loop';
import type { Task } from '@baton-ecs/model';
import type { AgentStore } from '@baton-ecs/runtime-docker';
import { type BatonKinds, isPreconditionFailure, type Op, type Store } from '@baton-ecs/store';

export interface WriteBatcherOptions {
  /** Flush when this many writes are waiting. Default 64. */
  readonly maxBatch?: number;
  /** Flush at most this long after the first waiting write (the latency cap). Default 5 ms. */
  readonly maxDelayMs?: number;
  readonly clock?: Clock;
}

interface Pending {
  readonly op: Op<BatonKinds>;
  readonly resolve: (written: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Groups compare-and-set writes from many writers (the task agents' status
 * updates) into one store commit — not a debounce: a write waits at most
 * `maxDelayMs`, and a full batch goes at once. Each write still carries its
 * own `ifVersion`; when one of them is stale the commit (all or nothing) is
 * refused, and the batch is retried write by write so the others land and
 * only the stale one reports `false`.
 */
export class WriteBatcher {
  private waiting: Pending[] = [];
  private timer: unknown;
  private readonly clock: Clock;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  /** Commits made and writes carried, for metrics. */
  commits = 0;
  writes = 0;

  constructor(
    private readonly store: Store<BatonKinds>,
    options: WriteBatcherOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.maxBatch = options.maxBatch ?? 64;
    this.maxDelayMs = options.maxDelayMs ?? 5;
  }

  /** Writes waiting for the next commit. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Queues one conditional write; resolves true when written, false when its version was stale. */
  write(op: Op<BatonKinds>): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ op, resolve, reject });
      if (this.waiting.length >= this.maxBatch) void this.flush();
      else if (this.timer === undefined)
        this.timer = this.clock.setTimeout(() => void this.flush(), this.maxDelayMs);
    });
  }

  /** Commits whatever is waiting now. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    this.commits++;
    this.writes += batch.length;
    try {
      await this.store.commit(batch.map((p) => p.op));
      for (const p of batch) p.resolve(true);
    } catch (error) {
      if (!isPreconditionFailure(error) || batch.length === 1) {
        for (const p of batch) {
          if (isPreconditionFailure(error)) p.resolve(false);
          else p.reject(error);
        }
        return;
      }
      // Someone else wrote one of these objects: find out which, land the rest.
      for (const p of batch) {
        try {
          await this.store.commit([p.op]);
          p.resolve(true);
        } catch (single) {
          if (isPreconditionFailure(single)) p.resolve(false);
          else p.reject(single);
        }
      }
    }
  }
}

/** An agent store whose task status writes go through a shared WriteBatcher. */
export function batchedAgentStore(base: AgentStore, batcher: WriteBatcher): AgentStore {
  return {
    ...base,
    updateTask: (task, changes) =>
      batcher.write({
        op: 'update',
        kind: 'Task',
        key: task.object.taskArn,
        ifVersion: task.version,
        change: { ...task.object, ...changes } as Task,
      }),
  };
}
