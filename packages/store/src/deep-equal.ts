/**
 * Structural equality for JSON-like data, checking reference equality first at every level:
 * immer's structural sharing makes untouched subtrees identical, so comparing an updated object
 * with its predecessor costs O(changed path), not O(object).
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let count = 0;
  for (const k in ra) {
    if (!Object.hasOwn(ra, k)) continue;
    count++;
    if (!Object.hasOwn(rb, k) || !deepEqual(ra[k], rb[k])) return false;
  }
  for (const k in rb) if (Object.hasOwn(rb, k)) count--;
  return count === 0;
}
