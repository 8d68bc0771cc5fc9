import { rename, writeFile } from 'node:fs/promises';
import type { Observable, Subscription } from 'rxjs';
import type { BalancerTarget } from '../pool.js';
import { renderUpstream, type UpstreamOptions } from './render.js';

export interface NginxAdapterOptions extends UpstreamOptions {
  /** The target group's targets, re-emitted whenever they or their states change. */
  readonly targets: Observable<readonly BalancerTarget[]>;
  /** Where the upstream block is written (the nginx configuration includes it). */
  readonly upstreamFile: string;
  readonly upstreamName: string;
  /** Validates and reloads nginx (gracefully: old workers finish their requests). See NginxProcess.reload. */
  readonly reload: () => Promise<void>;
  readonly onError?: (error: unknown) => void;
}

/**
 * Keeps an nginx upstream in step with a target group: renders the healthy targets, writes the
 * file atomically when it changes, and reloads nginx — one reload at a time, the latest targets
 * winning. A reload nginx rejects leaves the running configuration serving.
 */
export class NginxAdapter {
  private subscription: Subscription | undefined;
  private latest: readonly BalancerTarget[] | undefined;
  private written: string | undefined;
  private running: Promise<void> | undefined;
  private firstApplied: Promise<void>;
  private resolveFirst: (() => void) | undefined;
  /** Reloads done. */
  reloads = 0;

  constructor(private readonly o: NginxAdapterOptions) {
    this.firstApplied = new Promise((resolve) => {
      this.resolveFirst = resolve;
    });
  }

  /** Subscribes to the targets; resolves once the first upstream has been written and nginx reloaded. */
  async start(): Promise<void> {
    this.subscription = this.o.targets.subscribe((targets) => {
      this.latest = targets;
      this.kick();
    });
    await this.firstApplied;
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /** The upstream block as last written. */
  get rendered(): string | undefined {
    return this.written;
  }

  /** Resolves when every target list seen so far is written and reloaded. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.apply().finally(() => {
      this.running = undefined;
      if (
        this.latest !== undefined &&
        renderUpstream(this.o.upstreamName, this.latest, this.o) !== this.written
      )
        this.kick();
    });
  }

  private async apply(): Promise<void> {
    const targets = this.latest;
    if (targets === undefined) return;
    const text = renderUpstream(this.o.upstreamName, targets, this.o);
    if (text === this.written) return;
    try {
      const tmp = `${this.o.upstreamFile}.${process.pid}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, this.o.upstreamFile);
      this.written = text;
      await this.o.reload();
      this.reloads++;
    } catch (error) {
      this.o.onError?.(error);
    } finally {
      this.resolveFirst?.();
      this.resolveFirst = undefined;
    }
  }
}
