import { createHash, type Hash } from 'node:crypto';
import { type Either, left, right } from 'fp-ts/lib/Either.js';
import { invalidReference, RegistryError } from './errors.js';

/** `algorithm:hex`, validated. Only sha256 and sha512 are computed (the OCI-registered ones). */
export type Digest = `${string}:${string}`;

const HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };
const GRAMMAR = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Parses and validates a digest: grammar, registered algorithm, lowercase hex of the right length. */
export function parseDigest(s: string): Either<RegistryError, Digest> {
  if (!GRAMMAR.test(s)) return left(invalidReference(`invalid digest "${clip(s)}": expected algorithm:hex`));
  const colon = s.indexOf(':');
  const algorithm = s.slice(0, colon);
  const hex = s.slice(colon + 1);
  const length = HEX_LENGTH[algorithm];
  if (length === undefined)
    return left(
      new RegistryError(
        'UNSUPPORTED_MEDIA',
        `unsupported digest algorithm "${algorithm}" (sha256 or sha512)`,
      ),
    );
  if (hex.length !== length || !/^[0-9a-f]+$/.test(hex))
    return left(
      invalidReference(`invalid ${algorithm} digest "${clip(s)}": need ${length} lowercase hex digits`),
    );
  return right(s as Digest);
}

export const isDigest = (s: string): s is Digest => parseDigest(s)._tag === 'Right';

export const algorithmOf = (d: Digest): string => d.slice(0, d.indexOf(':'));

/** sha256 digest of bytes (what the client computes for content it pushes). */
export const sha256 = (data: Uint8Array | string): Digest =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A running hash for `expected`'s algorithm, fed as bytes stream by. */
export class DigestVerifier {
  private readonly hash: Hash;
  private readonly algorithm: string;
  bytes = 0;
  constructor(readonly expected: Digest) {
    this.algorithm = algorithmOf(expected);
    this.hash = createHash(this.algorithm);
  }
  update(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
  }
  /** The digest of what was fed. Call once. */
  digest(): Digest {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}

/** Computes `content`'s digest with `expected`'s algorithm and compares. */
export function verifyContent(
  content: Uint8Array,
  expected: Digest,
  context: { registry?: string; repository?: string; what: string },
): Either<RegistryError, Digest> {
  const v = new DigestVerifier(expected);
  v.update(content);
  const actual = v.digest();
  return actual === expected ? right(actual) : left(digestMismatch(expected, actual, context));
}

export const digestMismatch = (
  expected: string,
  actual: string,
  context: { registry?: string; repository?: string; what: string },
): RegistryError =>
  new RegistryError(
    'DIGEST_MISMATCH',
    `${context.what}: content has digest ${actual}, expected ${expected}`,
    {
      expected,
      actual,
      ...(context.registry === undefined ? {} : { registry: context.registry }),
      ...(context.repository === undefined ? {} : { repository: context.repository }),
    },
  );

const clip = (s: string): string => (s.length > 100 ? `${s.slice(0, 100)}…` : s);
