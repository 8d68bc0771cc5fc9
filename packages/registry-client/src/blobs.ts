import { Transform, type TransformCallback } from 'node:stream';
import { type Digest, DigestVerifier, digestMismatch } from './digest.js';
import { isRegistryError, RegistryError } from './errors.js';
import { discard, type HttpResponse, header, readBody } from './http.js';
import type { Descriptor } from './manifest.js';
import { familiarReference, type RepositoryName } from './reference.js';
import type { Session } from './session.js';
import { repositoryScope } from './token.js';

const blobPath = (repo: RepositoryName, digest: Digest) => `/v2/${repo.repository}/blobs/${digest}`;

/** GET or HEAD a blob (redirects to storage are followed by the session). */
export function blobRequest(
  s: Session,
  repo: RepositoryName,
  digest: Digest,
  method: 'GET' | 'HEAD',
): Promise<HttpResponse> {
  return s.send({
    registry: repo.registry,
    method,
    target: blobPath(repo, digest),
    scopes: [repositoryScope(repo.repository, ['pull'])],
    what: `${method} blob ${digest} in ${familiarReference(repo)}`,
    repository: repo.repository,
    ok: [200],
    notFound: 'BLOB_UNKNOWN',
  });
}

/** HEAD a blob: its descriptor, or undefined when the registry does not have it. */
export async function headBlob(
  s: Session,
  repo: RepositoryName,
  digest: Digest,
): Promise<Descriptor | undefined> {
  try {
    const res = await blobRequest(s, repo, digest, 'HEAD');
    discard(res);
    return {
      mediaType: header(res.headers, 'content-type') ?? 'application/octet-stream',
      digest,
      size: Number(header(res.headers, 'content-length') ?? 0),
    };
  } catch (e) {
    if (isRegistryError(e) && e.status === 404) return undefined;
    throw e;
  }
}

/** Reads a whole blob into memory, verifying size and digest. */
export async function readVerifiedBlob(
  res: HttpResponse,
  repo: RepositoryName,
  digest: Digest,
  expectedSize: number | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const what = `blob ${digest} in ${familiarReference(repo)}`;
  const bytes = await readBody(res, maxBytes, what);
  if (expectedSize !== undefined && bytes.length !== expectedSize)
    throw new RegistryError(
      bytes.length < expectedSize ? 'TRUNCATED' : 'SIZE_INVALID',
      `${what}: got ${bytes.length} bytes, descriptor says ${expectedSize}`,
      { registry: repo.registry, repository: repo.repository },
    );
  const v = new DigestVerifier(digest);
  v.update(bytes);
  const actual = v.digest();
  if (actual !== digest)
    throw digestMismatch(digest, actual, { registry: repo.registry, repository: repo.repository, what });
  return bytes;
}

/**
 * A stream of the blob's bytes that hashes as they pass and fails (DIGEST_MISMATCH, TRUNCATED)
 * at the end instead of finishing, so a consumer that writes to disk never accepts bad content.
 */
export function verifyingStream(
  res: HttpResponse,
  repo: RepositoryName,
  digest: Digest,
  expectedSize?: number,
): Transform {
  const what = `blob ${digest} in ${familiarReference(repo)}`;
  const context = { registry: repo.registry, repository: repo.repository };
  const declared = header(res.headers, 'content-length');
  const size = expectedSize ?? (declared === undefined ? undefined : Number(declared));
  const v = new DigestVerifier(digest);
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      v.update(chunk);
      if (size !== undefined && v.bytes > size)
        return cb(
          new RegistryError('SIZE_INVALID', `${what}: more than the ${size} bytes announced`, context),
        );
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      if (size !== undefined && v.bytes < size)
        return cb(new RegistryError('TRUNCATED', `${what}: got ${v.bytes} of ${size} bytes`, context));
      const actual = v.digest();
      if (actual !== digest) return cb(digestMismatch(digest, actual, { ...context, what }));
      cb();
    },
  });
  res.body.on('error', (err) =>
    out.destroy(
      isRegistryError(err)
        ? err
        : new RegistryError('TRUNCATED', `${what}: connection ended after ${v.bytes} bytes`, {
            ...context,
            cause: err,
          }),
    ),
  );
  // A response that is cut short ends without error on some Node versions: check completeness.
  res.body.on('end', () => {
    if (!res.body.complete)
      out.destroy(
        new RegistryError('TRUNCATED', `${what}: connection ended after ${v.bytes} bytes`, context),
      );
  });
  out.on('close', () => {
    if (!res.body.readableEnded) res.body.destroy();
  });
  res.body.pipe(out);
  return out;
}

/** DELETE a blob (registries must have deletion enabled). */
export async function deleteBlob(s: Session, repo: RepositoryName, digest: Digest): Promise<void> {
  const res = await s.send({
    registry: repo.registry,
    method: 'DELETE',
    target: blobPath(repo, digest),
    scopes: [repositoryScope(repo.repository, ['delete'])],
    what: `DELETE blob ${digest} in ${familiarReference(repo)}`,
    repository: repo.repository,
    ok: [202],
    notFound: 'BLOB_UNKNOWN',
  });
  discard(res);
}
