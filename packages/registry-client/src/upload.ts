import type { Readable } from 'node:stream';
import { headBlob } from './blobs.js';
import { type Digest, DigestVerifier, digestMismatch, parseDigest, sha256 } from './digest.js';
import { isNotFound, RegistryError } from './errors.js';
import { discard, type HttpResponse, header } from './http.js';
import type { Descriptor, ImageIndex, ImageManifest } from './manifest.js';
import { encodeManifest, headManifest } from './manifests.js';
import { checkTagMutability, type TagMutability } from './policy/mutability.js';
import { familiarReference, formatRepository, type Reference, type RepositoryName } from './reference.js';
import type { Session } from './session.js';
import { repositoryScope } from './token.js';

/** Content to push: bytes, or a stream factory with its size and digest known in advance. */
export type BlobContent =
  | Buffer
  | { readonly stream: () => Readable; readonly size: number; readonly digest: Digest };

export interface PushBlobOptions {
  readonly mediaType?: string;
  /** Upload in PATCH chunks of this many bytes; default: one monolithic PUT. */
  readonly chunkSize?: number;
  /** Try a cross-repository mount from this repository (same registry) before uploading. */
  readonly mountFrom?: string;
  /** Skip the HEAD that avoids re-uploading a blob the registry already has. */
  readonly skipExistsCheck?: boolean;
}

export interface PushedBlob extends Descriptor {
  /** How the blob got there: already present, mounted from another repository, or uploaded. */
  readonly via: 'exists' | 'mounted' | 'uploaded';
}

const pushScopes = (repo: RepositoryName) => [repositoryScope(repo.repository, ['pull', 'push'])];

/** Upload locations may be relative; they carry state in their query, which we keep. */
function location(s: Session, repo: RepositoryName, res: HttpResponse, what: string): URL {
  const loc = header(res.headers, 'location');
  if (!loc) throw new RegistryError('INVALID_RESPONSE', `${what}: ${res.status} without a Location header`);
  return new URL(loc, s.baseUrl(repo.registry));
}

/** Checks the digest the registry says it stored against the one we computed. */
function checkStoredDigest(res: HttpResponse, expected: Digest, repo: RepositoryName, what: string): void {
  const claimed = header(res.headers, 'docker-content-digest');
  if (claimed !== undefined && claimed.trim() !== expected)
    throw digestMismatch(expected, claimed.trim(), {
      registry: repo.registry,
      repository: repo.repository,
      what,
    });
}

/**
 * Pushes a blob: skips it when present, else tries a cross-repository mount (`mountFrom`), else
 * uploads it monolithically (POST then PUT) or in PATCH chunks (`chunkSize`), then PUT `?digest=`.
 */
export async function pushBlob(
  s: Session,
  repo: RepositoryName,
  content: BlobContent,
  options: PushBlobOptions = {},
): Promise<PushedBlob> {
  const isBuffer = Buffer.isBuffer(content);
  const digest = isBuffer ? sha256(content) : content.digest;
  const size = isBuffer ? content.length : content.size;
  const mediaType = options.mediaType ?? 'application/octet-stream';
  const what = `push blob ${digest} to ${familiarReference(repo)}`;
  if (!isBuffer && parseDigest(digest)._tag === 'Left')
    throw new RegistryError('DIGEST_INVALID', `${what}: bad digest`);
  if (!options.skipExistsCheck && (await headBlob(s, repo, digest)))
    return { mediaType, digest, size, via: 'exists' };

  let upload: URL;
  if (options.mountFrom !== undefined) {
    const res = await s.send({
      registry: repo.registry,
      method: 'POST',
      target: `/v2/${repo.repository}/blobs/uploads/`,
      query: { mount: digest, from: options.mountFrom },
      scopes: [...pushScopes(repo), repositoryScope(options.mountFrom, ['pull'])],
      what: `mount ${digest} from ${options.mountFrom} into ${formatRepository(repo)}`,
      repository: repo.repository,
      ok: [201, 202],
      notFound: 'NAME_UNKNOWN',
    });
    discard(res);
    if (res.status === 201) return { mediaType, digest, size, via: 'mounted' };
    // 202: the registry could not mount and opened an ordinary upload instead; use it.
    upload = location(s, repo, res, what);
  } else {
    const res = await s.send({
      registry: repo.registry,
      method: 'POST',
      target: `/v2/${repo.repository}/blobs/uploads/`,
      scopes: pushScopes(repo),
      what,
      repository: repo.repository,
      ok: [202],
      notFound: 'NAME_UNKNOWN',
    });
    discard(res);
    upload = location(s, repo, res, what);
  }

  const chunkSize = options.chunkSize;
  if (chunkSize === undefined || size <= chunkSize) {
    upload.searchParams.set('digest', digest);
    const res = await s.send({
      registry: repo.registry,
      method: 'PUT',
      target: upload,
      headers: {
        'content-type': 'application/octet-stream',
        ...(isBuffer ? {} : { 'content-length': String(size) }),
      },
      body: isBuffer ? content : content.stream,
      scopes: pushScopes(repo),
      what,
      repository: repo.repository,
      ok: [201],
      notFound: 'BLOB_UPLOAD_UNKNOWN',
    });
    discard(res);
    checkStoredDigest(res, digest, repo, what);
    return { mediaType, digest, size, via: 'uploaded' };
  }

  let offset = 0;
  const verifier = new DigestVerifier(digest);
  for await (const chunk of chunks(content, chunkSize)) {
    verifier.update(chunk);
    const res = await s.send({
      registry: repo.registry,
      method: 'PATCH',
      target: upload,
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `${offset}-${offset + chunk.length - 1}`,
      },
      body: chunk,
      scopes: pushScopes(repo),
      what: `${what} (chunk at ${offset})`,
      repository: repo.repository,
      ok: [202],
      notFound: 'BLOB_UPLOAD_UNKNOWN',
    });
    discard(res);
    upload = location(s, repo, res, what);
    offset += chunk.length;
  }
  if (offset !== size)
    throw new RegistryError('SIZE_INVALID', `${what}: stream gave ${offset} bytes, expected ${size}`);
  const actual = verifier.digest();
  if (actual !== digest)
    throw digestMismatch(digest, actual, { registry: repo.registry, repository: repo.repository, what });
  upload.searchParams.set('digest', digest);
  const res = await s.send({
    registry: repo.registry,
    method: 'PUT',
    target: upload,
    scopes: pushScopes(repo),
    what: `${what} (close)`,
    repository: repo.repository,
    ok: [201],
    notFound: 'BLOB_UPLOAD_UNKNOWN',
  });
  discard(res);
  checkStoredDigest(res, digest, repo, what);
  return { mediaType, digest, size, via: 'uploaded' };
}

/** Cuts content into chunks of `size` bytes (the last may be shorter). */
async function* chunks(content: BlobContent, size: number): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(content)) {
    for (let o = 0; o < content.length; o += size) yield content.subarray(o, o + size);
    return;
  }
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of content.stream()) {
    let buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece as Uint8Array);
    while (pendingBytes + buf.length >= size) {
      const take = size - pendingBytes;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending, size);
      buf = buf.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (buf.length > 0) {
      pending.push(buf);
      pendingBytes += buf.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

export interface PutManifestOptions {
  readonly mediaType?: string;
  /** IMMUTABLE: refuse to move an existing tag to other content (ECR's rule, enforced client-side). */
  readonly tagMutability?: TagMutability;
  readonly maxManifestBytes: number;
}

/** PUT a manifest under the reference's tag (or digest). Returns its descriptor. */
export async function putManifest(
  s: Session,
  ref: Reference,
  manifest: Buffer | ImageManifest | ImageIndex,
  options: PutManifestOptions,
): Promise<Descriptor> {
  const { bytes, mediaType } = encodeManifest(manifest, options.mediaType);
  const digest = sha256(bytes);
  const what = `PUT manifest ${familiarReference(ref)}`;
  if (bytes.length > options.maxManifestBytes)
    throw new RegistryError(
      'TOO_LARGE',
      `${what}: ${bytes.length} bytes exceeds the ${options.maxManifestBytes}-byte limit`,
    );
  if (ref.digest !== undefined && ref.digest !== digest)
    throw digestMismatch(ref.digest, digest, { registry: ref.registry, repository: ref.repository, what });
  const target = ref.tag ?? digest;
  if (ref.tag !== undefined && options.tagMutability === 'IMMUTABLE') {
    let existing: Digest | undefined;
    try {
      existing = (
        await headManifest(
          s,
          { registry: ref.registry, repository: ref.repository, tag: ref.tag },
          options.maxManifestBytes,
        )
      ).digest;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const verdict = checkTagMutability('IMMUTABLE', ref.tag, existing, digest);
    if (verdict._tag === 'Left')
      throw new RegistryError('TAG_IMMUTABLE', `${what}: ${verdict.left}`, {
        registry: ref.registry,
        repository: ref.repository,
      });
  }
  const res = await s.send({
    registry: ref.registry,
    method: 'PUT',
    target: `/v2/${ref.repository}/manifests/${encodeURIComponent(target)}`,
    headers: { 'content-type': mediaType },
    body: bytes,
    scopes: pushScopes(ref),
    what,
    repository: ref.repository,
    ok: [201],
    notFound: 'NAME_UNKNOWN',
  });
  discard(res);
  checkStoredDigest(res, digest, ref, what);
  return { mediaType, digest, size: bytes.length };
}

/**
 * DELETE a manifest by digest (registries refuse deletes by tag). Given a tag, it is resolved
 * first, so every tag pointing at that image goes with it (ECR's "image" is the digest).
 */
export async function deleteManifest(s: Session, ref: Reference, maxManifestBytes: number): Promise<Digest> {
  const digest = ref.digest ?? (await headManifest(s, ref, maxManifestBytes)).digest;
  const res = await s.send({
    registry: ref.registry,
    method: 'DELETE',
    target: `/v2/${ref.repository}/manifests/${digest}`,
    scopes: [repositoryScope(ref.repository, ['delete'])],
    what: `DELETE manifest ${familiarReference({ ...ref, digest })}`,
    repository: ref.repository,
    ok: [202],
    notFound: 'MANIFEST_UNKNOWN',
  });
  discard(res);
  return digest;
}

/** Cross-repository mount only: true when mounted; false when the registry declined (its upload is cancelled). */
export async function mountBlob(
  s: Session,
  repo: RepositoryName,
  digest: Digest,
  from: RepositoryName,
): Promise<boolean> {
  const res = await s.send({
    registry: repo.registry,
    method: 'POST',
    target: `/v2/${repo.repository}/blobs/uploads/`,
    query: { mount: digest, from: from.repository },
    scopes: [...pushScopes(repo), repositoryScope(from.repository, ['pull'])],
    what: `mount ${digest} from ${from.repository} into ${formatRepository(repo)}`,
    repository: repo.repository,
    ok: [201, 202],
    notFound: 'NAME_UNKNOWN',
  });
  discard(res);
  if (res.status === 201) return true;
  const loc = header(res.headers, 'location');
  if (loc) {
    await s
      .send({
        registry: repo.registry,
        method: 'DELETE',
        target: new URL(loc, s.baseUrl(repo.registry)),
        scopes: pushScopes(repo),
        what: 'cancel upload',
        ok: [200, 202, 204, 404],
        notFound: 'BLOB_UPLOAD_UNKNOWN',
      })
      .then(discard, () => {});
  }
  return false;
}
