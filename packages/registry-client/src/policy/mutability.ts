import { type Either, left, right } from 'fp-ts/lib/Either.js';

/** ECR's `imageTagMutability`: IMMUTABLE forbids moving a tag to another image. */
export type TagMutability = 'MUTABLE' | 'IMMUTABLE';

/**
 * May `tag` point at `incoming`? Under IMMUTABLE only if the tag is new, or already points at the
 * very same digest (re-pushing identical content changes nothing). Left carries ECR's wording.
 */
export function checkTagMutability(
  mutability: TagMutability,
  tag: string,
  existing: string | undefined,
  incoming: string,
): Either<string, void> {
  if (mutability === 'MUTABLE' || existing === undefined || existing === incoming) return right(undefined);
  return left(
    `the image tag '${tag}' already exists on ${existing} and cannot be overwritten because the repository is immutable`,
  );
}
