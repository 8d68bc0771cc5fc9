/** One field that differs between what runs and what is declared, by its path (`containerDefinitions[0].image`). */
export interface FieldChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The leaves that differ between `before` and `after`; objects by key, lists by position. */
export function fieldChanges(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => fieldChanges(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length)
    return before.flatMap((b, i) => fieldChanges(b, after[i], `${path}[${i}]`));
  if (canonical(before) === canonical(after)) return [];
  return [
    {
      path,
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
    },
  ];
}

/** JSON with keys sorted at every depth: equal values give equal text. */
export function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) =>
      isObject(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, v[k]]),
          )
        : v,
    ) ?? 'undefined'
  );
}

const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));

/** `  ~ path: before → after` lines; `+`/`-` for a field only one side has. */
export function formatChanges(changes: readonly FieldChange[], indent = '    '): string[] {
  return changes.map((c) => {
    if (c.before === undefined) return `${indent}+ ${c.path}: ${show(c.after)}`;
    if (c.after === undefined) return `${indent}- ${c.path}: ${show(c.before)}`;
    return `${indent}~ ${c.path}: ${show(c.before)} → ${show(c.after)}`;
  });
}
