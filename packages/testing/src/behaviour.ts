import type { ContainerBehaviour } from './simulated-container.js';
import type { PullBehaviour } from './simulated-engine.js';

/**
 * How a simulated task behaves, per task definition revision: what its containers and the engine
 * do (the simulated engine plays it; Baton's own agent reports what it sees). Times are virtual
 * milliseconds.
 */
export interface TaskBehaviour {
  /** Pulling each image takes pullMs, starting each container startMs. Defaults 1000 + 1000. */
  readonly pullMs?: number;
  readonly startMs?: number;
  /** The engine takes this long to stop a container (even beyond its stop timeout). Default 1000. */
  readonly stopMs?: number;
  /** With a health check on an essential container: HEALTHY this long after it starts. Default 2000. */
  readonly healthyAfterMs?: number;
  /**
   * The task never starts: the engine refuses it and the task stops with TaskFailedToStart. The
   * reason's prefix says which call fails — `CannotPullContainerError: <message>` the pull,
   * `CannotCreateContainerError: <message>` the create, `CannotStartContainerError: <message>` (or
   * any other text, then the whole of it) the start — and the agent words the stoppedReason as ECS does.
   */
  readonly failToStart?: string;
  /** The task's containers exit this long after they start… */
  readonly exitAfterMs?: number;
  /** …with this code. Default 1. */
  readonly exitCode?: number;
  /** The health check turns UNHEALTHY this long after the container starts. */
  readonly unhealthyAfterMs?: number;
}

export const defaultBehaviour = {
  pullMs: 1000,
  startMs: 1000,
  stopMs: 1000,
  healthyAfterMs: 2000,
} as const satisfies TaskBehaviour;

const refusals = {
  pull: 'CannotPullContainerError: ',
  create: 'CannotCreateContainerError: ',
  start: 'CannotStartContainerError: ',
} as const;

/** The call `failToStart` makes the engine refuse, and the engine's message. */
function refusal(
  failToStart: string | undefined,
): { call: keyof typeof refusals; message: string } | undefined {
  if (failToStart === undefined) return undefined;
  for (const [call, prefix] of Object.entries(refusals) as [keyof typeof refusals, string][])
    if (failToStart.startsWith(prefix)) return { call, message: failToStart.slice(prefix.length) };
  return { call: 'start', message: failToStart };
}

/** What the simulated engine does with a container of a task that behaves as `b`. */
export function containerBehaviour(b: TaskBehaviour): ContainerBehaviour {
  const t = { ...defaultBehaviour, ...b };
  const refused = refusal(b.failToStart);
  return {
    startMs: t.startMs,
    stopMs: t.stopMs,
    healthyAfterMs: t.healthyAfterMs,
    ...(b.unhealthyAfterMs !== undefined ? { unhealthyAfterMs: b.unhealthyAfterMs } : {}),
    ...(b.exitAfterMs !== undefined ? { exitAfterMs: b.exitAfterMs, exitCode: b.exitCode ?? 1 } : {}),
    ...(refused?.call === 'create' ? { createFailure: refused.message } : {}),
    ...(refused?.call === 'start' ? { startFailure: refused.message } : {}),
  };
}

/** How the simulated engine pulls an image of a task that behaves as `b`. */
export function pullBehaviour(b: TaskBehaviour): PullBehaviour {
  const refused = refusal(b.failToStart);
  return {
    pullMs: b.pullMs ?? defaultBehaviour.pullMs,
    ...(refused?.call === 'pull' ? { failure: refused.message } : {}),
  };
}
