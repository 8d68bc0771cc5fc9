/**
 * Value comparisons of the cluster query language. Values are strings in an
 * expression; how they order depends on the subject.
 */

/** Numbers order numerically when both sides are numbers, otherwise as strings. */
export function compareLoose(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Dotted versions (agentVersion `1.68.2`): numeric parts compare as numbers,
 * missing parts count as 0, so `1.20 > 1.3` and `1.5 == 1.5.0`.
 */
export function compareVersions(a: string, b: string): number {
  const xs = a.replace(/^v/i, '').split('.');
  const ys = b.replace(/^v/i, '').split('.');
  for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
    const c = compareLoose(xs[i] ?? '0', ys[i] ?? '0');
    if (c !== 0) return c;
  }
  return 0;
}

export type Ordering = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/** Applies a comparison operator to the sign of a comparison. */
export function holds(operator: Ordering, sign: number): boolean {
  switch (operator) {
    case 'eq':
      return sign === 0;
    case 'ne':
      return sign !== 0;
    case 'gt':
      return sign > 0;
    case 'ge':
      return sign >= 0;
    case 'lt':
      return sign < 0;
    case 'le':
      return sign <= 0;
  }
}
