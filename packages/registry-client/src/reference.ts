import { type Either, isLeft, left, right } from 'fp-ts/lib/Either.js';
import { type Digest, parseDigest } from './digest.js';
import { invalidReference, type RegistryError } from './errors.js';

/**
 * A normalised image reference, as Docker normalises it: `nginx` is
 * `{registry: 'docker.io', repository: 'library/nginx', tag: 'latest'}`.
 */
export interface Reference {
  /** Registry host[:port], `docker.io` for Docker Hub. */
  readonly registry: string;
  /** Repository path, lowercase, `library/` prefixed for official Docker Hub images. */
  readonly repository: string;
  /** Tag; `latest` when the reference had neither tag nor digest. */
  readonly tag?: string;
  /** Digest; when present it decides what is fetched, whatever the tag says. */
  readonly digest?: Digest;
}

/** A repository without tag or digest. */
export interface RepositoryName {
  readonly registry: string;
  readonly repository: string;
}

export const DOCKER_HUB = 'docker.io';
const LEGACY_HUB = 'index.docker.io';
const MAX_NAME_LENGTH = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`,
);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** Is `s` a valid tag (`[\w][\w.-]{0,127}`)? */
export const isValidTag = (s: string): boolean => TAG.test(s);

/** Docker's rule: the first component names a registry when it has `.` or `:`, is `localhost`, or has capitals. */
const looksLikeRegistry = (first: string): boolean =>
  first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first;

/** Splits `name` into registry and repository, applying Docker Hub's defaults. */
function splitName(name: string): Either<RegistryError, RepositoryName> {
  const slash = name.indexOf('/');
  let registry = DOCKER_HUB;
  let path = name;
  if (slash !== -1 && looksLikeRegistry(name.slice(0, slash))) {
    registry = name.slice(0, slash);
    path = name.slice(slash + 1);
  }
  if (!DOMAIN.test(registry)) return left(invalidReference(`invalid registry "${registry}" in "${name}"`));
  if (registry === LEGACY_HUB) registry = DOCKER_HUB;
  if (path === '') return left(invalidReference(`missing repository name in "${name}"`));
  const components = path.split('/');
  for (const c of components) {
    if (c !== c.toLowerCase() && PATH_COMPONENT.test(c.toLowerCase()))
      return left(
        invalidReference(
          `repository name "${path}" must be lowercase (did you mean "${path.toLowerCase()}"?)`,
        ),
      );
    if (!PATH_COMPONENT.test(c))
      return left(
        invalidReference(
          `invalid repository name component "${c}" in "${name}": lowercase letters, digits and single separators (. _ __ -) between them`,
        ),
      );
  }
  if (registry === DOCKER_HUB && components.length === 1) path = `library/${path}`;
  if (registry.length + 1 + path.length > MAX_NAME_LENGTH)
    return left(invalidReference(`repository name "${name}" is longer than ${MAX_NAME_LENGTH} characters`));
  return right({ registry, repository: path });
}

/**
 * Parses and normalises an image reference like `docker pull` does:
 * `nginx` → `docker.io/library/nginx:latest`; `index.docker.io/x` → `docker.io/library/x`;
 * `localhost:5000/app@sha256:…`. With `lowercase`, capitals in the repository are folded instead of
 * rejected (Docker rejects them).
 */
export function parseReference(
  input: string,
  options: { lowercase?: boolean } = {},
): Either<RegistryError, Reference> {
  const s = input.trim();
  if (s === '') return left(invalidReference('empty image reference'));
  let rest = s;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const d = parseDigest(rest.slice(at + 1));
    if (isLeft(d)) return d;
    digest = d.right;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  // A tag follows the last ':' only when no '/' comes after it (else the ':' was a registry port).
  const colon = rest.lastIndexOf(':');
  if (colon !== -1 && colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag))
      return left(
        invalidReference(`invalid tag "${tag}" in "${s}": [A-Za-z0-9_] then up to 127 of [A-Za-z0-9_.-]`),
      );
  }
  if (options.lowercase) {
    const slash = rest.indexOf('/');
    rest =
      slash !== -1 && (rest.slice(0, slash).includes('.') || rest.slice(0, slash).includes(':'))
        ? `${rest.slice(0, slash)}/${rest.slice(slash + 1).toLowerCase()}`
        : rest.toLowerCase();
  }
  const name = splitName(rest);
  if (isLeft(name)) return name;
  if (tag === undefined && digest === undefined) tag = 'latest';
  return right({
    ...name.right,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  });
}

/** Parses a repository name (`nginx`, `127.0.0.1:5000/team/app`); a tag or digest is an error. */
export function parseRepositoryName(input: string): Either<RegistryError, RepositoryName> {
  const s = input.trim();
  if (s.includes('@'))
    return left(invalidReference(`"${s}" is a reference, not a repository name (has a digest)`));
  const colon = s.lastIndexOf(':');
  if (colon !== -1 && colon > s.lastIndexOf('/'))
    return left(invalidReference(`"${s}" is a reference, not a repository name (has a tag)`));
  if (s === '') return left(invalidReference('empty repository name'));
  return splitName(s);
}

/** The canonical string: `registry/repository[:tag][@digest]`. */
export function formatReference(r: Reference): string {
  return `${r.registry}/${r.repository}${r.tag === undefined ? '' : `:${r.tag}`}${r.digest === undefined ? '' : `@${r.digest}`}`;
}

/** `registry/repository`. */
export const formatRepository = (r: RepositoryName): string => `${r.registry}/${r.repository}`;

/** The shortest form Docker prints (`nginx:latest`, `user/app`, `127.0.0.1:5000/app@sha256:…`). */
export function familiarReference(r: Reference): string {
  let name = formatRepository(r);
  if (r.registry === DOCKER_HUB) {
    name = r.repository.startsWith('library/') ? r.repository.slice('library/'.length) : r.repository;
  }
  return `${name}${r.tag === undefined ? '' : `:${r.tag}`}${r.digest === undefined ? '' : `@${r.digest}`}`;
}

/** What a manifest request names: the digest when there is one (digest wins over tag), else the tag. */
export const manifestTarget = (r: Reference): string => r.digest ?? r.tag ?? 'latest';

/** The same repository pinned to `digest` (tag dropped): what to pull so every task runs the same image. */
export const pinned = (r: RepositoryName, digest: Digest): Reference => ({
  registry: r.registry,
  repository: r.repository,
  digest,
});

/**
 * `image` pinned to `digest`, in the form the engine pulls (`registry/repository@sha256:…`, the tag
 * dropped); undefined when `image` or `digest` is not one this client reads.
 */
export function pinnedReference(image: string, digest: string): string | undefined {
  const r = parseReference(image);
  const d = parseDigest(digest);
  return isLeft(r) || isLeft(d) ? undefined : formatReference(pinned(r.right, d.right));
}

/** The HTTP host that serves a registry's API (Docker Hub's API is not at docker.io). */
export const apiHost = (registry: string): string =>
  registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
