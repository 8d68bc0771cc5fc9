import type { ContainerDependency } from '@baton-ecs/model';
import type { ContainerView } from './container-view.js';

export type DependencyState =
  | { readonly state: 'met' }
  /** Not yet; `deadline` is when the dependency's startTimeout runs out (epoch ms), when it is running. */
  | { readonly state: 'waiting'; readonly deadline?: number }
  | { readonly state: 'failed'; readonly why: string };

/**
 * Whether `dependency`'s condition holds for the container `on` (ECS dependsOn):
 * START — it has started; COMPLETE — it has exited; SUCCESS — it exited with code 0; HEALTHY — its
 * health check passes (checked only before the dependent starts). A condition that can no longer
 * hold, or has not held within the dependency's `startTimeout` (counted from its start), fails.
 * `restarting` says the dependency is about to be restarted in place, so its exit is not final.
 */
export function dependencyState(
  dependency: ContainerDependency,
  on: ContainerView,
  restarting: boolean,
  now: number,
  defaultStartTimeoutSeconds: number,
): DependencyState {
  const cond = dependency.condition;
  switch (cond) {
    case 'START':
      if (on.everStarted) return { state: 'met' };
      break;
    case 'COMPLETE':
      if (on.exited && !restarting) return { state: 'met' };
      break;
    case 'SUCCESS':
      if (on.exited && !restarting) {
        return on.exitCode === 0
          ? { state: 'met' }
          : { state: 'failed', why: `exited with code ${on.exitCode ?? 'unknown'}` };
      }
      break;
    case 'HEALTHY':
      if (on.running && on.observed?.health === 'healthy') return { state: 'met' };
      if (on.exited && !restarting) return { state: 'failed', why: 'exited before it was healthy' };
      break;
  }
  if (!on.everStarted || on.startedAt === undefined) return { state: 'waiting' };
  const timeout = on.def.startTimeout ?? defaultStartTimeoutSeconds;
  const deadline = on.startedAt + timeout * 1000;
  if (now >= deadline)
    return { state: 'failed', why: `did not reach ${cond} within its startTimeout (${timeout}s)` };
  return { state: 'waiting', deadline };
}

/** The stoppedReason of a dependency that cannot be met. */
export function dependencyFailureReason(
  container: string,
  dependency: ContainerDependency,
  why: string,
): string {
  return `DependencyConditionNotMet: container ${container} depends on ${dependency.containerName} (${dependency.condition}), which ${why}`;
}
