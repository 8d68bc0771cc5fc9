import { formatChanges } from './field-diff.js';
import type { Change, Plan } from './plan.js';

/** How a change reads in `diff` and `apply`: `service "web" (cluster prod): update`. */
export function changeTitle(c: Change): string {
  switch (c.kind) {
    case 'cluster':
      return `cluster "${c.name}": create`;
    case 'taskDefinition':
      return c.previous === undefined
        ? `task definition "${c.family}": register revision 1`
        : `task definition "${c.family}": register a new revision (differs from ${c.family}:${c.previous})`;
    case 'service':
      return `service "${c.name}" (cluster ${c.cluster}): ${c.action}${c.action === 'delete' ? ' (--prune)' : ''}`;
    case 'scalableTarget':
    case 'scalingPolicy':
      return `${c.name}: ${c.create ? 'create' : 'update'}`;
    case 'targetGroup':
      return `target group "${c.name}": ${c.action}`;
    case 'loadBalancer':
      return `load balancer "${c.name}": ${c.action}`;
    case 'listener':
      return `listener "${c.name}": ${c.action}`;
  }
}

/** The readable diff of a plan: one block per resource, fields as `~ path: before → after`. */
export async function planText(plan: Plan): Promise<string[]> {
  const { stringify } = await import('yaml');
  const out: string[] = [];
  const updates = (c: Change) => c.action === 'update' || (c.action === 'put' && !c.create);
  const marker = (c: Change) => (c.action === 'delete' ? '-' : updates(c) ? '~' : '+');
  for (const c of plan.changes) {
    out.push(`${marker(c)} ${changeTitle(c)}`);
    if (c.action === 'delete') continue;
    if ('fields' in c && c.fields.length > 0) {
      out.push(...formatChanges(c.fields));
      continue;
    }
    if (
      c.action === 'create' ||
      (c.action === 'put' && c.create) ||
      (c.kind === 'taskDefinition' && c.previous === undefined)
    )
      for (const line of stringify(c.request).trimEnd().split('\n')) out.push(`    + ${line}`);
  }
  const updated = plan.changes.filter(updates).length;
  const deleted = plan.changes.filter((c) => c.action === 'delete').length;
  out.push(
    `${plan.changes.length - updated - deleted} to create, ${updated} to update, ${deleted} to delete, ${plan.unchanged.length} unchanged`,
  );
  return out;
}
