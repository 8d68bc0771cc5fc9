import { InvalidArgumentError } from './errors.js';
import type { AnyKind } from './kinds.js';

/** A validated list/watch filter, normalised so backends need not re-check it. */
export interface Filter {
  readonly key: string | undefined;
  readonly index: string | undefined;
  readonly value: string | undefined;
  readonly prefix: string | undefined;
}

interface FilterInput {
  readonly key?: string;
  readonly index?: string;
  readonly value?: string;
  readonly prefix?: string;
}

export function normalizeFilter(kindName: string, k: AnyKind, input: FilterInput | undefined): Filter {
  const f = { key: input?.key, index: input?.index, value: input?.value, prefix: input?.prefix };
  if ((f.index === undefined) !== (f.value === undefined)) {
    throw new InvalidArgumentError(`${kindName}: "index" and "value" must be given together`);
  }
  if (f.index !== undefined && !(k.indexes && Object.hasOwn(k.indexes, f.index))) {
    const known = Object.keys(k.indexes ?? {});
    throw new InvalidArgumentError(
      `${kindName} has no index "${f.index}" (indexes: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  for (const field of ['key', 'value', 'prefix'] as const) {
    const v = f[field];
    if (v !== undefined && typeof v !== 'string') {
      throw new InvalidArgumentError(`${kindName}: filter "${field}" must be a string`);
    }
  }
  return f;
}

/** Whether an object matches a filter, computing index values on demand. */
export function matchesFilter(k: AnyKind, f: Filter, key: string, object: unknown): boolean {
  if (f.key !== undefined && key !== f.key) return false;
  if (f.prefix !== undefined && !key.startsWith(f.prefix)) return false;
  if (f.index !== undefined) {
    const fn = k.indexes?.[f.index];
    if (!fn?.(object).includes(f.value as string)) return false;
  }
  return true;
}

export const describeFilter = (f: Filter): string =>
  [
    f.key !== undefined ? `key=${f.key}` : '',
    f.index !== undefined ? `${f.index}=${f.value}` : '',
    f.prefix !== undefined ? `prefix=${f.prefix}` : '',
  ]
    .filter(Boolean)
    .join(' ');
