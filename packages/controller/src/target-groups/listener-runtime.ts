import type { Listener } from '@baton-ecs/load-balancer';
import type { Logger } from '@baton-ecs/loop';
import { type Clock, systemClock } from '@baton-ecs/loop';
import { forwardTargetOf, type ListenerRecord } from '@baton-ecs/model';
import type { BatonKinds } from '@baton-ecs/store';
import type { Subscription } from 'rxjs';
import type { Informer } from '../informer.js';

/** What a running listener was opened with: a change to any of these reopens it. */
function configOf(r: ListenerRecord): string {
  return `${r.Protocol}:${r.Port}:${forwardTargetOf(r)}`;
}

export interface ListenerRuntimeOptions {
  readonly listeners: Informer<BatonKinds, 'Listener'>;
  /** Opens Baton's embedded balancer for a listener record (ElbV2Api.openListener). */
  readonly open: (record: ListenerRecord) => Promise<Listener>;
  readonly logger: Logger;
  /** How soon a listener that could not bind (its port taken) is tried again. Default 5 s. */
  readonly retryMs?: number;
  /** Baton's clock: the retries run on it. */
  readonly clock?: Clock;
}

/**
 * Keeps one embedded balancer running per stored listener, on this replica: opens what the store
 * has, reopens a listener whose port, protocol or target group changed, closes deleted ones. The
 * API applies its own writes at once (so CreateListener can answer a port that will not bind);
 * the store's watch brings everyone else's, and what this replica had before it started.
 *
 * Several replicas on one host share its ports: the first to bind serves, the others retry and
 * take over within `retryMs` of its going away. A listener that keeps failing is logged once, when
 * it starts failing, and once when it opens.
 */
export class ListenerRuntime {
  private readonly running = new Map<string, { readonly config: string; readonly listener: Listener }>();
  /** Per listener ARN: the change being applied, so changes to one listener apply in order. */
  private readonly pending = new Map<string, Promise<void>>();
  private readonly retries = new Map<string, unknown>();
  /** Listeners whose last attempt failed (logged once, until they open). */
  private readonly failing = new Set<string>();
  private subscription: Subscription | undefined;
  private stopped = false;

  private readonly clock: Clock;

  constructor(private readonly o: ListenerRuntimeOptions) {
    this.clock = o.clock ?? systemClock;
  }

  start(): void {
    this.stopped = false;
    this.subscription = this.o.listeners.changes.subscribe((c) => this.sync(c.key));
    for (const e of this.o.listeners.values()) this.sync(e.key);
  }

  /** Runs `record` now (reopening it if its settings changed); throws when it cannot bind. */
  apply(record: ListenerRecord): Promise<void> {
    return this.serial(record.ListenerArn, async () => {
      const current = this.running.get(record.ListenerArn);
      const config = configOf(record);
      if (current?.config === config) return;
      if (current) {
        this.running.delete(record.ListenerArn);
        await current.listener.close();
      }
      const listener = await this.o.open(record);
      if (this.stopped) {
        await listener.close();
        return;
      }
      this.running.set(record.ListenerArn, { config, listener });
    });
  }

  /** Closes the listener's balancer, if it runs here. */
  remove(arn: string): Promise<void> {
    return this.serial(arn, async () => {
      const current = this.running.get(arn);
      this.running.delete(arn);
      await current?.listener.close();
    });
  }

  /** The running balancer of a listener (for its port and stats). */
  listener(arn: string): Listener | undefined {
    return this.running.get(arn)?.listener;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.subscription?.unsubscribe();
    for (const t of this.retries.values()) this.clock.clearTimeout(t);
    this.retries.clear();
    await Promise.allSettled([...this.pending.values()]);
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((r) => r.listener.close()));
  }

  /** Brings one listener in line with the cache; a port that will not bind is retried later. */
  private sync(arn: string): void {
    if (this.stopped) return;
    const retry = this.retries.get(arn);
    if (retry !== undefined) this.clock.clearTimeout(retry);
    this.retries.delete(arn);
    const record = this.o.listeners.get(arn)?.object;
    const done = record ? this.apply(record) : this.remove(arn);
    done.then(
      () => {
        if (this.failing.delete(arn) && record)
          this.o.logger({ level: 'info', msg: 'listener: open', listenerArn: arn, port: record.Port });
      },
      (error: unknown) => {
        if (!this.failing.has(arn)) {
          this.failing.add(arn);
          this.o.logger({
            level: 'warn',
            msg: 'listener: cannot open; retrying',
            listenerArn: arn,
            error: String(error),
          });
        }
        if (this.stopped) return;
        this.retries.set(
          arn,
          this.clock.setTimeout(() => this.sync(arn), this.o.retryMs ?? 5_000),
        );
      },
    );
  }

  private serial(arn: string, work: () => Promise<void>): Promise<void> {
    const before = this.pending.get(arn) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(work);
    const settled = next.catch(() => undefined);
    this.pending.set(arn, settled);
    void settled.then(() => {
      if (this.pending.get(arn) === settled) this.pending.delete(arn);
    });
    return next;
  }
}
