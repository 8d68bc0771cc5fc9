import {
  type LoadBalancingAlgorithm,
  type TargetState,
  targetGroupDefaults,
  type UnhealthyStateRouting,
} from '@baton-ecs/model';
import { routingTargets } from './routing.js';

/** A target as a balancer sees it: an address and its state in the target group. */
export interface BalancerTarget {
  /** Stable identity within the target group (Baton: the task ARN and container port). */
  readonly key: string;
  readonly host: string;
  readonly port: number;
  readonly state: TargetState;
}

export interface PoolEntry {
  readonly key: string;
  host: string;
  port: number;
  state: TargetState;
  /** Requests (HTTP) or connections (TCP) in flight to the target. */
  inFlight: number;
  /** No longer in the target group; kept until its last request finishes. */
  removed: boolean;
  requests: number;
  failures: number;
}

/**
 * The targets of one listener and the choice among them, with no I/O: healthy targets get new
 * requests — or every registered non-draining target, when the group is below its unhealthy state
 * routing threshold (ELB's fail-open; see routingTargets); draining and removed targets keep their
 * in-flight count until it reaches zero.
 */
export class TargetPool {
  private readonly entries = new Map<string, PoolEntry>();
  private cursor = 0;
  private routing: UnhealthyStateRouting | false;
  /** Keys that get new requests now (recomputed when targets or routing change). */
  private routed = new Set<string>();

  /** `routing`: ELB's thresholds (default ELB's: fail open when none is healthy); `true` the same; `false` never. */
  constructor(
    private readonly algorithm: LoadBalancingAlgorithm = 'round_robin',
    routing: UnhealthyStateRouting | boolean = targetGroupDefaults.unhealthyStateRouting,
  ) {
    this.routing = routing === true ? targetGroupDefaults.unhealthyStateRouting : routing;
  }

  /** New thresholds (the group's attributes changed); returns entries that just became idle and unroutable. */
  setRouting(routing: UnhealthyStateRouting | false): PoolEntry[] {
    this.routing = routing;
    this.reroute();
    return this.sweep();
  }

  private reroute(): void {
    const live = [...this.entries.values()].filter((e) => !e.removed);
    this.routed = new Set(routingTargets(live, this.routing).map((e) => e.key));
  }

  /** Replaces the target list; returns entries that just became idle and unroutable (to close their connections). */
  update(targets: readonly BalancerTarget[]): PoolEntry[] {
    const seen = new Set<string>();
    for (const t of targets) {
      seen.add(t.key);
      const e = this.entries.get(t.key);
      if (e) {
        e.host = t.host;
        e.port = t.port;
        e.state = t.state;
        e.removed = false;
      } else {
        this.entries.set(t.key, {
          key: t.key,
          host: t.host,
          port: t.port,
          state: t.state,
          inFlight: 0,
          removed: false,
          requests: 0,
          failures: 0,
        });
      }
    }
    for (const e of this.entries.values()) if (!seen.has(e.key)) e.removed = true;
    this.reroute();
    return this.sweep();
  }

  routable(e: PoolEntry): boolean {
    return !e.removed && this.routed.has(e.key);
  }

  /** The next target for a new request, never one in `exclude`. */
  pick(exclude?: ReadonlySet<string>): PoolEntry | undefined {
    const candidates = [...this.entries.values()].filter((e) => this.routable(e) && !exclude?.has(e.key));
    if (candidates.length === 0) return undefined;
    candidates.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const start = this.cursor++ % candidates.length;
    if (this.algorithm === 'round_robin') return candidates[start];
    let best: PoolEntry | undefined;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[(start + i) % candidates.length]!;
      if (!best || c.inFlight < best.inFlight) best = c;
    }
    return best;
  }

  acquire(e: PoolEntry): void {
    e.inFlight++;
    e.requests++;
  }

  /** Returns true when the target is now idle and no longer routable (its connections can go). */
  release(e: PoolEntry, failed = false): boolean {
    e.inFlight = Math.max(0, e.inFlight - 1);
    if (failed) e.failures++;
    const idle = e.inFlight === 0 && !this.routable(e);
    if (idle && e.removed) this.entries.delete(e.key);
    return idle;
  }

  /**
   * Whether the pool has stopped sending new requests to a target and none is in flight: it knows
   * the target as draining (or no longer registered) and its in-flight count is zero.
   */
  drained(key: string): boolean {
    const e = this.entries.get(key);
    return !e || (!this.routable(e) && e.inFlight === 0);
  }

  get(key: string): PoolEntry | undefined {
    return this.entries.get(key);
  }

  all(): PoolEntry[] {
    return [...this.entries.values()];
  }

  private sweep(): PoolEntry[] {
    const idle: PoolEntry[] = [];
    for (const e of [...this.entries.values()]) {
      if (e.inFlight > 0 || this.routable(e)) continue;
      idle.push(e);
      if (e.removed) this.entries.delete(e.key);
    }
    return idle;
  }
}
