import {
  type LoadBalancingAlgorithm,
  type TargetState,
  targetGroupDefaults,
  type UnhealthyStateRouting,
} from '@baton-ecs/model';
import { routingTargets } from './routing.js';
import { type SlowStart, slowStartWeight, weightedPick } from './slow-start.js';

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
  /** When the target entered slow start (ELB's slow start mode); undefined when not ramping. */
  slowStartSince?: number;
  /** The weighted round robin's running score (used while a target ramps up). */
  score: number;
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
  /** `slowStart`: ELB's slow start duration and the clock it ramps by (default off). */
  constructor(
    private readonly algorithm: LoadBalancingAlgorithm = 'round_robin',
    routing: UnhealthyStateRouting | boolean = targetGroupDefaults.unhealthyStateRouting,
    private slowStart: SlowStart = { durationMs: 0, now: Date.now },
  ) {
    this.routing = routing === true ? targetGroupDefaults.unhealthyStateRouting : routing;
  }

  /** A new slow start duration (the group's attribute changed); 0 ends every ramp. Targets already healthy do not enter it. */
  setSlowStart(durationMs: number): void {
    this.slowStart = { ...this.slowStart, durationMs };
    if (durationMs <= 0) for (const e of this.entries.values()) e.slowStartSince = undefined;
  }

  /** The target's share of a full one's traffic now; a ramp that has run its course ends here. */
  private weight(e: PoolEntry, now: number): number {
    const w = slowStartWeight(e.slowStartSince, now, this.slowStart.durationMs);
    if (w >= 1) e.slowStartSince = undefined;
    return w;
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
    const now = this.slowStart.durationMs > 0 ? this.slowStart.now() : 0;
    const wasSettled = new Set<string>();
    for (const e of this.entries.values())
      if (!e.removed && e.state === 'healthy' && this.weight(e, now) >= 1) wasSettled.add(e.key);
    const becameHealthy: PoolEntry[] = [];
    for (const t of targets) {
      seen.add(t.key);
      let e = this.entries.get(t.key);
      const wasHealthy = e !== undefined && !e.removed && e.state === 'healthy';
      if (e) {
        e.host = t.host;
        e.port = t.port;
        e.state = t.state;
        e.removed = false;
      } else {
        e = {
          key: t.key,
          host: t.host,
          port: t.port,
          state: t.state,
          inFlight: 0,
          removed: false,
          requests: 0,
          failures: 0,
          score: 0,
        };
        this.entries.set(t.key, e);
      }
      if (t.state !== 'healthy') e.slowStartSince = undefined;
      else if (!wasHealthy) becameHealthy.push(e);
    }
    for (const e of this.entries.values())
      if (!seen.has(e.key)) {
        e.removed = true;
        e.slowStartSince = undefined;
      }
    if (this.slowStart.durationMs > 0) {
      const settled = [...wasSettled].some((k) => this.entries.get(k)?.state === 'healthy' && seen.has(k));
      if (settled) for (const e of becameHealthy) e.slowStartSince = now;
    }
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
    if (this.slowStart.durationMs > 0) {
      const now = this.slowStart.now();
      const weights = candidates.map((c) => this.weight(c, now));
      if (weights.some((w) => w < 1)) return this.pickWeighted(candidates, weights);
    }
    const start = this.cursor++ % candidates.length;
    if (this.algorithm === 'round_robin') return candidates[start];
    let best: PoolEntry | undefined;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[(start + i) % candidates.length]!;
      if (!best || c.inFlight < best.inFlight) best = c;
    }
    return best;
  }

  /** Some target ramps up: round robin by weight; least outstanding requests by in-flight per weight. */
  private pickWeighted(candidates: PoolEntry[], weights: number[]): PoolEntry | undefined {
    if (this.algorithm === 'round_robin') return weightedPick(candidates, weights);
    let best: PoolEntry | undefined;
    let bestLoad = Infinity;
    candidates.forEach((c, i) => {
      const w = weights[i]!;
      if (w <= 0) return;
      const load = (c.inFlight + 1) / w;
      if (load < bestLoad) {
        best = c;
        bestLoad = load;
      }
    });
    return best ?? candidates[0];
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
