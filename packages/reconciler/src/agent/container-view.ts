import type { Container, ContainerDefinition } from '@baton-ecs/model';
import type { ObservedContainer } from './types.js';

/**
 * One container of a task as the agent reasons about it: its definition (overrides applied), what
 * the engine shows, and what the Task record last said.
 */
export interface ContainerView {
  readonly def: ContainerDefinition;
  readonly observed: ObservedContainer | undefined;
  readonly record: Container | undefined;
  /** Started at least once (the engine keeps StartedAt after an exit). */
  readonly everStarted: boolean;
  /** Running now (paused and restarting count as running: neither has exited). */
  readonly running: boolean;
  /** Started, and not running any more. */
  readonly exited: boolean;
  /** The record names an engine container that the engine no longer has. */
  readonly lost: boolean;
  readonly startedAt: number | undefined;
  readonly finishedAt: number | undefined;
  readonly exitCode: number | undefined;
}

const runningStates = new Set(['running', 'paused', 'restarting']);

export function containerView(
  def: ContainerDefinition,
  observed: ObservedContainer | undefined,
  record: Container | undefined,
): ContainerView {
  if (observed) {
    const running = runningStates.has(observed.state);
    const everStarted = observed.startedAt !== undefined;
    return {
      def,
      observed,
      record,
      everStarted,
      running,
      exited: everStarted && !running,
      lost: false,
      startedAt: observed.startedAt,
      finishedAt: running ? undefined : observed.finishedAt,
      exitCode: running ? undefined : observed.exitCode,
    };
  }
  const lost = record?.runtimeId !== undefined;
  const everStarted = lost && record?.startedAt !== undefined;
  return {
    def,
    observed: undefined,
    record,
    everStarted,
    running: false,
    exited: everStarted,
    lost,
    startedAt: lost ? record?.startedAt : undefined,
    finishedAt: lost ? record?.finishedAt : undefined,
    exitCode: lost ? record?.exitCode : undefined,
  };
}

/** The containers that name `name` in their dependsOn or links (they stop first). */
export function dependentsOf(views: readonly ContainerView[], name: string): ContainerView[] {
  return views.filter(
    (v) =>
      v.def.dependsOn?.some((d) => d.containerName === name) ||
      v.def.links?.some((l) => l.split(':')[0] === name),
  );
}
