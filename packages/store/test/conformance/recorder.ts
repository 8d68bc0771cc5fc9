import type { Observable, Subscription } from 'rxjs';
import type { ObjectEvent, WatchEvent } from '../../src/index.js';

/** Subscribes to a watch and records everything, with helpers to wait for what a test expects. */
export class Recorder<T> {
  readonly events: WatchEvent<T>[] = [];
  error: unknown;
  completed = false;
  private readonly sub: Subscription;

  constructor(obs: Observable<WatchEvent<T>>) {
    this.sub = obs.subscribe({
      next: (e) => this.events.push(e),
      error: (e) => {
        this.error = e;
      },
      complete: () => {
        this.completed = true;
      },
    });
  }

  get ended(): boolean {
    return this.completed || this.error !== undefined;
  }

  /** Object events (everything but SYNCED). */
  objects(): ObjectEvent<T>[] {
    return this.events.filter((e): e is ObjectEvent<T> => e.type !== 'SYNCED');
  }

  /** Compact form for assertions: "TYPE key@version". */
  summary(): string[] {
    return this.events.map((e) =>
      e.type === 'SYNCED' ? `SYNCED@${e.version}` : `${e.type} ${e.key}@${e.version}`,
    );
  }

  synced(): Promise<void> {
    return this.until(() => this.events.some((e) => e.type === 'SYNCED'), 'SYNCED');
  }

  /** Waits until at least n object events arrived. */
  count(n: number): Promise<void> {
    return this.until(() => this.objects().length >= n, `${n} object events`);
  }

  end(): Promise<void> {
    return this.until(() => this.ended, 'the watch to end');
  }

  async until(pred: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (this.error !== undefined && !pred())
        throw new Error(`watch failed while waiting for ${what}: ${this.error}`);
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${this.summary().join(', ')}`);
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Gives in-flight deliveries a chance to arrive (to assert that nothing more does). */
  async settle(ms = 20): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
  }

  stop(): void {
    this.sub.unsubscribe();
  }
}
