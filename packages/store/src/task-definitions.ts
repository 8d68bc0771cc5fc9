import { type ArnContext, arns, defaultArnContext, type TaskDefinition } from '@baton-ecs/model';
import { type BatonKinds, taskDefinitionKey } from './baton-kinds.js';
import type { Entry } from './entry.js';
import { InvalidArgumentError, NotFoundError } from './errors.js';
import type { Store } from './store.js';

/** The sequence that numbers a family's revisions: it never goes back, so revisions are never reused. */
export function revisionSequence(family: string): string {
  return `taskDefinition:${family}`;
}

/**
 * RegisterTaskDefinition: stores `td` as the family's next revision, atomically
 * (two concurrent registrations get two revisions), ACTIVE, with its ARN.
 */
export async function registerTaskDefinition(
  store: Store<BatonKinds>,
  td: TaskDefinition,
  options: { readonly now?: number; readonly arn?: ArnContext } = {},
): Promise<Entry<TaskDefinition>> {
  const { result } = await store.transaction(async (tx) => {
    const revision = await tx.nextSequence(revisionSequence(td.family));
    const registered: TaskDefinition = {
      ...td,
      revision,
      taskDefinitionArn: arns.taskDefinition(td.family, revision, options.arn ?? defaultArnContext),
      status: 'ACTIVE',
      registeredAt: options.now ?? Date.now(),
    };
    delete (registered as { deregisteredAt?: number }).deregisteredAt;
    await tx.create('TaskDefinition', registered);
    return registered.taskDefinitionArn!;
  });
  const entry = await store.get('TaskDefinition', result);
  if (!entry) throw new NotFoundError('TaskDefinition', result);
  return entry;
}

/** A family's revision, found through the `byFamily` index (ECS's `family:revision`). */
export async function findTaskDefinition(
  store: Store<BatonKinds>,
  family: string,
  revision: number,
): Promise<Entry<TaskDefinition> | undefined> {
  const { items } = await store.list('TaskDefinition', { index: 'byFamily', value: family });
  return items.find((e) => e.object.revision === revision);
}

async function mustFind(
  store: Store<BatonKinds>,
  family: string,
  revision: number,
): Promise<Entry<TaskDefinition>> {
  const found = await findTaskDefinition(store, family, revision);
  if (!found) throw new NotFoundError('TaskDefinition', taskDefinitionKey(family, revision));
  return found;
}

/** DeregisterTaskDefinition: ACTIVE → INACTIVE. Running tasks keep running; no new ones start from it. */
export async function deregisterTaskDefinition(
  store: Store<BatonKinds>,
  family: string,
  revision: number,
  options: { readonly now?: number } = {},
): Promise<Entry<TaskDefinition>> {
  const current = await mustFind(store, family, revision);
  return store.update('TaskDefinition', current.key, (td) => {
    if (td.status === 'ACTIVE') {
      td.status = 'INACTIVE';
      td.deregisteredAt = options.now ?? Date.now();
    }
  });
}

/** DeleteTaskDefinitions: only an INACTIVE revision; it becomes DELETE_IN_PROGRESS. Its number is never reused. */
export async function deleteTaskDefinition(
  store: Store<BatonKinds>,
  family: string,
  revision: number,
): Promise<Entry<TaskDefinition>> {
  const current = await mustFind(store, family, revision);
  if (current.object.status === 'ACTIVE') {
    throw new InvalidArgumentError(
      `task definition ${family}:${revision} is ACTIVE; deregister it before deleting it`,
    );
  }
  return store.update(
    'TaskDefinition',
    current.key,
    (td) => {
      td.status = 'DELETE_IN_PROGRESS';
    },
    { ifVersion: current.version },
  );
}

/** The newest ACTIVE revision of a family (what `taskDefinition: "family"` means), if any. */
export async function latestActiveTaskDefinition(
  store: Store<BatonKinds>,
  family: string,
): Promise<Entry<TaskDefinition> | undefined> {
  const { items } = await store.list('TaskDefinition', { index: 'byFamily', value: family });
  let best: Entry<TaskDefinition> | undefined;
  for (const e of items) {
    if (
      e.object.status === 'ACTIVE' &&
      (best === undefined || (e.object.revision ?? 0) > (best.object.revision ?? 0))
    )
      best = e;
  }
  return best;
}
