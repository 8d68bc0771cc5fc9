import { InvalidArgumentError } from './errors.js';

/**
 * Declared as a method so it is bivariant in T: a `Kind<Task>` must be assignable to the
 * `Kind<unknown>` that generic store code works with.
 */
export type IndexFunction<T> = { bivariant(object: T): readonly string[] }['bivariant'];

/** How the store handles one resource type. All functions must be pure and deterministic. */
export interface KindDefinition<T, I extends string = string> {
  /** Identity of an object within its kind. Must never change across updates of the object. */
  key(object: T): string;
  /**
   * The user-owned part of the object. `generation` bumps only when this changes, so controllers
   * can tell a spec change from status churn. Default: the whole object.
   */
  spec?(object: T): unknown;
  /** Secondary indexes: each returns the values the object is listed under (any number). */
  readonly indexes?: { readonly [P in I]: IndexFunction<T> };
  /** Called on every object written; throw to reject it (the store wraps it in InvalidObjectError). */
  validate?(object: T): void;
}

/** A kind definition carrying its object type (`__object` is a type-level marker, never set). */
export interface Kind<T, I extends string = string> extends KindDefinition<T, I> {
  readonly __object?: T;
}

export type AnyKind = Kind<unknown, string>;
export type KindMap = { readonly [name: string]: AnyKind };
export type KindName<K extends KindMap> = keyof K & string;
export type ObjectOf<K extends KindMap, N extends KindName<K>> =
  K[N] extends Kind<infer T, string> ? T : never;
export type IndexName<K extends KindMap, N extends KindName<K>> =
  K[N] extends Kind<unknown, infer I> ? I : never;

/**
 * Declares a kind. Pass the object type explicitly (`kind<Task>({...})`, index names are then
 * plain strings checked at runtime), or let both be inferred from an annotated `key`
 * (`kind({ key: (t: Task) => t.taskArn, indexes: { byService: … } })`) to get typed index names.
 */
export function kind<T, I extends string = string>(definition: KindDefinition<T, I>): Kind<T, I> {
  if (typeof definition.key !== 'function') throw new InvalidArgumentError('kind: key must be a function');
  for (const [name, fn] of Object.entries(definition.indexes ?? {})) {
    if (typeof fn !== 'function') throw new InvalidArgumentError(`kind: index "${name}" must be a function`);
  }
  return Object.freeze({ ...definition });
}

const KIND_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** Registers the kinds a store manages; the map's keys are the kind names. */
export function defineKinds<const K extends KindMap>(kinds: K): K {
  for (const [name, k] of Object.entries(kinds)) {
    if (!KIND_NAME.test(name)) {
      throw new InvalidArgumentError(`kind name "${name}" must match ${KIND_NAME} (letters first)`);
    }
    if (typeof k?.key !== 'function') throw new InvalidArgumentError(`kind "${name}" has no key function`);
  }
  return Object.freeze({ ...kinds });
}

/** Looks up a kind by name, failing with a clear error for names the store does not know. */
export function kindOf(kinds: KindMap, name: string): AnyKind {
  const k = Object.hasOwn(kinds, name) ? kinds[name] : undefined;
  if (!k) {
    throw new InvalidArgumentError(`unknown kind "${name}" (registered: ${Object.keys(kinds).join(', ')})`);
  }
  return k;
}
