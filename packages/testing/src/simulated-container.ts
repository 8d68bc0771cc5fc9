import type {
  ContainerSpec,
  ObservedContainer,
  ObservedHealth,
  ObservedNetworkAttachment,
  ObservedPortBinding,
  ObservedState,
} from '@baton-ecs/reconciler';
import type { EngineLogLine } from '@baton-ecs/runtime-docker';

/**
 * How one simulated container behaves. Times are virtual milliseconds on the engine's clock; the
 * behaviour is read again whenever the container moves (and on `SimulatedEngine.refresh()`), so a
 * change applies to containers already running.
 */
export interface ContainerBehaviour {
  /** How long the engine's start call takes before the process runs. Default 0. */
  readonly startMs?: number;
  /**
   * How long the engine takes to stop the container (SIGTERM to exit). A slow engine may take
   * longer than the stop timeout; the exit code then says it was killed (137), else 143.
   */
  readonly stopMs?: number;
  /** With a health check: `healthy` this long after the start. Default 0. */
  readonly healthyAfterMs?: number;
  /** With a health check: `unhealthy` this long after the start (it wins over healthy). */
  readonly unhealthyAfterMs?: number;
  /** The process exits on its own this long after the start… */
  readonly exitAfterMs?: number;
  /** …with this code. Default 1. */
  readonly exitCode?: number;
  /** The engine refuses the create with this message. */
  readonly createFailure?: string;
  /** The engine refuses the start with this message (the container stays `created`, its error set). */
  readonly startFailure?: string;
}

/** What a container carries from its create to its removal. */
export interface SimulatedContainer {
  readonly id: string;
  readonly spec: ContainerSpec;
  readonly createdAt: number;
  state: ObservedState;
  health: ObservedHealth;
  exitCode?: number;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
  portBindings: ObservedPortBinding[];
  networks: ObservedNetworkAttachment[];
  readonly logs: EngineLogLine[];
  /** The pending timer of its next move (health change or exit), on the engine's clock. */
  timer?: unknown;
  /** The stop in progress, shared by every caller asking for it meanwhile. */
  stopping?: Promise<void>;
}

/** The agent's view of a simulated container, as `DockerEngine.inspect` gives it for a real one. */
export function observe(c: SimulatedContainer): ObservedContainer {
  const done = c.state === 'exited' || c.state === 'dead';
  return {
    id: c.id,
    name: c.spec.name,
    labels: c.spec.labels,
    image: c.spec.image,
    imageId: `sha256:${c.spec.image}`,
    state: c.state,
    ...(done ? { exitCode: c.exitCode ?? 0 } : {}),
    ...(c.startedAt !== undefined ? { startedAt: c.startedAt } : {}),
    ...(c.finishedAt !== undefined ? { finishedAt: c.finishedAt } : {}),
    health: c.health,
    ...(c.error ? { error: c.error } : {}),
    portBindings: c.portBindings,
    ...(c.networks.length > 0 ? { networks: c.networks } : {}),
  };
}

/**
 * The health a running container reports after running `ranFor` ms: `none` without a health check,
 * else `starting`, then `healthy`, and `unhealthy` once `unhealthyAfterMs` has passed.
 */
export function healthAfter(c: SimulatedContainer, b: ContainerBehaviour, ranFor: number): ObservedHealth {
  if (!c.spec.healthCheck) return 'none';
  if (b.unhealthyAfterMs !== undefined && ranFor >= b.unhealthyAfterMs) return 'unhealthy';
  return ranFor >= (b.healthyAfterMs ?? 0) ? 'healthy' : 'starting';
}

/** When (virtual epoch ms) a running container next moves on its own: a health change or its exit. */
export function nextMove(c: SimulatedContainer, b: ContainerBehaviour, now: number): number | undefined {
  const startedAt = c.startedAt ?? now;
  const moments: number[] = [];
  if (b.exitAfterMs !== undefined) moments.push(startedAt + b.exitAfterMs);
  if (c.spec.healthCheck) {
    if (c.health === 'starting') moments.push(startedAt + (b.healthyAfterMs ?? 0));
    if (b.unhealthyAfterMs !== undefined && c.health !== 'unhealthy')
      moments.push(startedAt + b.unhealthyAfterMs);
  }
  const due = moments.map((m) => Math.max(m, now));
  return due.length > 0 ? Math.min(...due) : undefined;
}
