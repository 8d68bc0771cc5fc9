/**
 * ELB's slow start mode, as the ALB guide describes it
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#slow-start-mode):
 * - a target enters slow start when it becomes healthy, "only when there is at least one healthy
 *   target that is not in slow start mode" (so the targets a listener starts with, or that are
 *   registered into an empty group at once, do not);
 * - "the load balancer linearly increases the number of requests that it can send to a target in
 *   slow start mode", up to its full share when the duration has passed;
 * - it exits early when it becomes unhealthy or is deregistered (and enters again when healthy).
 * Pure: the time comes from the caller.
 */
export interface SlowStart {
  /** 0: off. */
  readonly durationMs: number;
  readonly now: () => number;
}

/** A target's share of a full target's traffic: (now − since) / duration, 0 to 1; 1 when not ramping. */
export function slowStartWeight(since: number | undefined, now: number, durationMs: number): number {
  if (since === undefined || durationMs <= 0) return 1;
  return Math.min(1, Math.max(0, (now - since) / durationMs));
}

/**
 * Smooth weighted round robin (each pick adds every candidate's weight to its running score, takes
 * the highest and subtracts the total from it): over any window each candidate gets picks in
 * proportion to its weight, spread out rather than in bursts. `score` is kept per candidate.
 */
export function weightedPick<T extends { score: number }>(
  candidates: readonly T[],
  weights: readonly number[],
): T | undefined {
  let total = 0;
  for (const w of weights) total += w;
  const ws = total > 0 ? weights : weights.map(() => 1);
  if (total <= 0) total = ws.length;
  let best: T | undefined;
  candidates.forEach((c, i) => {
    c.score += ws[i]!;
    if (!best || c.score > best.score) best = c;
  });
  if (best) best.score -= total;
  return best;
}
