import { batonLabels, containerEngineName, ownedBy } from './labels.js';
import type { ObservedContainer } from './types.js';

const runningStates = new Set(['running', 'paused', 'restarting']);

export function isRunning(o: ObservedContainer): boolean {
  return runningStates.has(o.state);
}

/**
 * The engine's containers this instance's agent owns, grouped by task ARN and container name. When
 * several claim the same task container, the one with the deterministic engine name (else the
 * lowest id) is canonical and the rest are duplicates to remove.
 */
export interface ObservedIndex {
  /** taskArn → containerName → the canonical container. */
  readonly byTask: ReadonlyMap<string, ReadonlyMap<string, ObservedContainer>>;
  readonly duplicates: readonly ObservedContainer[];
}

export function indexObserved(
  observed: readonly ObservedContainer[],
  containerInstanceArn: string,
): ObservedIndex {
  const groups = new Map<string, Map<string, ObservedContainer[]>>();
  for (const o of observed) {
    if (!ownedBy(o.labels, containerInstanceArn)) continue;
    const taskArn = o.labels[batonLabels.taskArn] as string;
    const name = o.labels[batonLabels.containerName] ?? '';
    const byName = groups.get(taskArn) ?? new Map<string, ObservedContainer[]>();
    groups.set(taskArn, byName);
    byName.set(name, [...(byName.get(name) ?? []), o]);
  }
  const byTask = new Map<string, Map<string, ObservedContainer>>();
  const duplicates: ObservedContainer[] = [];
  for (const [taskArn, byName] of groups) {
    const chosen = new Map<string, ObservedContainer>();
    for (const [name, list] of byName) {
      const expected = containerEngineName(taskArn, name);
      const sorted = [...list].sort(
        (a, b) => Number(b.name === expected) - Number(a.name === expected) || a.id.localeCompare(b.id),
      );
      chosen.set(name, sorted[0] as ObservedContainer);
      duplicates.push(...sorted.slice(1));
    }
    byTask.set(taskArn, chosen);
  }
  return { byTask, duplicates };
}
