import type { ContainerView } from './container-view.js';
import type { ActionOutcome } from './types.js';

/**
 * Whether an exited container is restarted in place now (ECS restart policy): the policy is
 * enabled, the exit code is not ignored, and the run that ended lasted at least
 * `restartAttemptPeriod` — which also makes restarts at most one per period. A restart whose start
 * already failed is not tried again.
 */
export function shouldRestart(view: ContainerView, outcomes: readonly ActionOutcome[]): boolean {
  const policy = view.def.restartPolicy;
  if (!policy?.enabled || !view.exited || !view.observed) return false;
  if (view.observed.error) return false;
  if (view.exitCode !== undefined && policy.ignoredExitCodes.includes(view.exitCode)) return false;
  const { startedAt, finishedAt } = view;
  if (startedAt === undefined || finishedAt === undefined) return false;
  if (finishedAt - startedAt < policy.restartAttemptPeriod * 1000) return false;
  return !outcomes.some(
    (o) => o.action === 'StartContainer' && !o.ok && o.containerName === view.def.name && o.at >= finishedAt,
  );
}
