/**
 * ECS backs a service off when its tasks keep stopping before they start
 * ("is unable to consistently start tasks successfully"). Baton's schedule:
 * after n consecutive launch failures the next launch waits
 * min(27 min, 5 s · 2^(n−1)). A task that reaches RUNNING, or a new task
 * definition, resets it.
 */
export const launchBackoffBaseMs = 5_000;
export const launchBackoffCapMs = 27 * 60 * 1000;

export function launchBackoffMs(consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return 0;
  return Math.min(launchBackoffCapMs, launchBackoffBaseMs * 2 ** Math.min(consecutiveFailures - 1, 30));
}

/** Failures at which the service starts saying it is throttled. */
export const throttleEventAfterFailures = 3;
