import type { TaskStopCode } from '@baton-ecs/model';
import type { ContainerView } from './container-view.js';
import { dependencyFailureReason, dependencyState } from './dependencies.js';
import { hasImage } from './images.js';
import { shouldRestart } from './restart.js';
import type { ActionOutcome, AgentSettings } from './types.js';

/** Why a task must stop although nobody asked it to. */
export interface StopCause {
  readonly stopCode: TaskStopCode;
  readonly stoppedReason: string;
}

export const agentStoppedReasons = {
  essentialExited: 'Essential container in task exited',
  pullFailed: (message: string) => `CannotPullContainerError: ${message}`,
  createFailed: (message: string) => `CannotCreateContainerError: ${message}`,
  startFailed: (message: string) => `CannotStartContainerError: ${message}`,
  removedBeforeStart: (container: string) =>
    `CannotStartContainerError: container ${container} was removed from the engine before it started`,
  gpuUnavailable: (container: string, wanted: number, offered: number) =>
    `RESOURCE:GPU: container ${container} requires ${wanted} GPU${wanted === 1 ? '' : 's'}; ${offered === 0 ? 'no engine of this container instance advertises GPUs' : `this container instance offers ${offered}`}`,
  taskDefinitionMissing: (arn: string) => `CannotCreateContainerError: task definition ${arn} not found`,
} as const;

/** Engine messages can be long; ECS keeps stoppedReason short too. */
const maxReasonLength = 512;
function clip(reason: string): string {
  return reason.length > maxReasonLength ? `${reason.slice(0, maxReasonLength - 1)}…` : reason;
}

/** The latest outcome of an action for a container, if any. */
export function latestOutcome(
  outcomes: readonly ActionOutcome[],
  action: ActionOutcome['action'],
  containerName: string,
): ActionOutcome | undefined {
  let latest: ActionOutcome | undefined;
  for (const o of outcomes) {
    if (o.action === action && o.containerName === containerName && (!latest || o.at >= latest.at))
      latest = o;
  }
  return latest;
}

export interface FailureContext {
  readonly views: readonly ContainerView[];
  readonly outcomes: readonly ActionOutcome[];
  readonly images: ReadonlySet<string>;
  readonly settings: AgentSettings;
  readonly now: number;
}

/**
 * Whether a container's image is usable without pulling, or after a pull that finished. `pull` when
 * the pull behaviour asks for one that has not happened; `failed` when the pull failed and no
 * cached copy may stand in.
 */
export function imageReadiness(
  view: ContainerView,
  ctx: Pick<FailureContext, 'outcomes' | 'images' | 'settings'>,
):
  | { readonly state: 'ready' }
  | { readonly state: 'pull' }
  | { readonly state: 'failed'; readonly message: string; readonly reason?: string } {
  const pulled = latestOutcome(ctx.outcomes, 'PullImage', view.def.name);
  const cached = hasImage(ctx.images, view.def.image);
  const behavior = ctx.settings.imagePullBehavior;
  if (pulled?.ok) return { state: 'ready' };
  if (pulled && !pulled.ok) {
    if (cached && behavior !== 'always') return { state: 'ready' };
    return {
      state: 'failed',
      message: pulled.message ?? 'pull failed',
      ...(pulled.reason !== undefined ? { reason: pulled.reason } : {}),
    };
  }
  if (cached && (behavior === 'once' || behavior === 'prefer-cached')) return { state: 'ready' };
  return { state: 'pull' };
}

/** The first reason (in container order) a task cannot start: a failed pull, create or start. */
function startFailure(ctx: FailureContext): StopCause | undefined {
  for (const v of ctx.views) {
    if (!v.observed && !v.lost) {
      const image = imageReadiness(v, ctx);
      if (image.state === 'failed')
        return failedToStart(image.reason ?? agentStoppedReasons.pullFailed(image.message));
      const created = latestOutcome(ctx.outcomes, 'CreateContainer', v.def.name);
      if (created && !created.ok)
        return failedToStart(
          created.reason ?? agentStoppedReasons.createFailed(created.message ?? 'create failed'),
        );
    }
    if (!v.everStarted) {
      if (v.lost) return failedToStart(agentStoppedReasons.removedBeforeStart(v.def.name));
      if (v.observed?.error) return failedToStart(agentStoppedReasons.startFailed(v.observed.error));
      const started = latestOutcome(ctx.outcomes, 'StartContainer', v.def.name);
      if (started && !started.ok)
        return failedToStart(agentStoppedReasons.startFailed(started.message ?? 'start failed'));
    }
  }
  return undefined;
}

/** An essential container that exited and will not be restarted stops the task. */
function essentialExit(ctx: FailureContext): StopCause | undefined {
  const exited = ctx.views.some((v) => v.def.essential && v.exited && !shouldRestart(v, ctx.outcomes));
  return exited
    ? { stopCode: 'EssentialContainerExited', stoppedReason: agentStoppedReasons.essentialExited }
    : undefined;
}

/** A container that has not started and waits on a condition that can no longer hold. */
function unmetDependency(ctx: FailureContext): StopCause | undefined {
  const byName = new Map(ctx.views.map((v) => [v.def.name, v]));
  for (const v of ctx.views) {
    if (v.everStarted) continue;
    for (const dep of v.def.dependsOn ?? []) {
      const on = byName.get(dep.containerName);
      if (!on)
        return failedToStart(dependencyFailureReason(v.def.name, dep, 'is not in the task definition'));
      const s = dependencyState(
        dep,
        on,
        shouldRestart(on, ctx.outcomes),
        ctx.now,
        ctx.settings.defaultStartTimeoutSeconds,
      );
      if (s.state === 'failed') return failedToStart(dependencyFailureReason(v.def.name, dep, s.why));
    }
  }
  return undefined;
}

/** Why a task that should run must stop: start failures first, then essential exits, then dependencies. */
export function stopCause(ctx: FailureContext): StopCause | undefined {
  return startFailure(ctx) ?? essentialExit(ctx) ?? unmetDependency(ctx);
}

export function failedToStart(reason: string): StopCause {
  return { stopCode: 'TaskFailedToStart', stoppedReason: clip(reason) };
}
