import { isLeft } from 'fp-ts/lib/Either.js';
import { blobRequest, readVerifiedBlob } from './blobs.js';
import { type Digest, DigestVerifier, digestMismatch, parseDigest, sha256, verifyContent } from './digest.js';
import { RegistryError } from './errors.js';
import { discard, header, readBody } from './http.js';
import {
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type Manifest,
  parseImageConfig,
  parseManifest,
} from './manifest.js';
import { baseMediaType, MANIFEST_ACCEPT, MediaType } from './media-types.js';
import { formatPlatform, type PlatformSpec, selectPlatform } from './platform.js';
import { familiarReference, manifestTarget, type Reference } from './reference.js';
import type { Session } from './session.js';
import { repositoryScope } from './token.js';

/** Largest manifest the client reads (distribution's own limit is 4 MiB). */
export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Largest image config the client reads. */
export const DEFAULT_MAX_CONFIG_BYTES = 8 * 1024 * 1024;

const manifestPath = (ref: Reference, target = manifestTarget(ref)) =>
  `/v2/${ref.repository}/manifests/${encodeURIComponent(target)}`;

/** A digest header value, if it parses. */
const headerDigest = (v: string | undefined): Digest | undefined => {
  if (v === undefined) return undefined;
  const d = parseDigest(v.trim());
  return isLeft(d) ? undefined : d.right;
};

/**
 * HEAD the manifest: the digest the tag points at now, with media type and size, or MANIFEST_UNKNOWN.
 * Falls back to GET (hashing the body) when the registry sends no Docker-Content-Digest.
 */
export async function headManifest(s: Session, ref: Reference, maxBytes: number): Promise<Descriptor> {
  const what = `HEAD manifest ${familiarReference(ref)}`;
  const res = await s.send({
    registry: ref.registry,
    method: 'HEAD',
    target: manifestPath(ref),
    headers: { accept: MANIFEST_ACCEPT },
    scopes: [repositoryScope(ref.repository, ['pull'])],
    what,
    repository: ref.repository,
    ok: [200],
    notFound: 'MANIFEST_UNKNOWN',
  });
  discard(res);
  const digest = headerDigest(header(res.headers, 'docker-content-digest'));
  if (digest === undefined) {
    const m = await getManifest(s, ref, maxBytes);
    return { mediaType: m.mediaType, digest: m.digest, size: m.size };
  }
  if (ref.digest !== undefined && digest !== ref.digest)
    throw digestMismatch(ref.digest, digest, { registry: ref.registry, repository: ref.repository, what });
  return {
    mediaType: baseMediaType(header(res.headers, 'content-type')) ?? MediaType.OciManifest,
    digest,
    size: Number(header(res.headers, 'content-length') ?? 0),
  };
}

/**
 * GET the manifest with all four media types accepted. The body is hashed: fetched by digest it
 * must match it; fetched by tag, a Docker-Content-Digest header that disagrees with the body is a
 * DIGEST_MISMATCH (the content is the truth, the header only a claim).
 */
export async function getManifest(s: Session, ref: Reference, maxBytes: number): Promise<Manifest> {
  const what = `GET manifest ${familiarReference(ref)}`;
  const res = await s.send({
    registry: ref.registry,
    method: 'GET',
    target: manifestPath(ref),
    headers: { accept: MANIFEST_ACCEPT },
    scopes: [repositoryScope(ref.repository, ['pull'])],
    what,
    repository: ref.repository,
    ok: [200],
    notFound: 'MANIFEST_UNKNOWN',
  });
  const bytes = await readBody(res, maxBytes, what);
  const context = { registry: ref.registry, repository: ref.repository, what };
  const claimed = headerDigest(header(res.headers, 'docker-content-digest'));
  let digest: Digest;
  if (ref.digest !== undefined) {
    const v = verifyContent(bytes, ref.digest, context);
    if (isLeft(v)) throw v.left;
    digest = v.right;
  } else {
    digest = sha256(bytes);
    if (claimed !== undefined) {
      const v = new DigestVerifier(claimed);
      v.update(bytes);
      const actual = v.digest();
      if (actual !== claimed) throw digestMismatch(claimed, actual, context);
      digest = claimed;
    }
  }
  const parsed = parseManifest(bytes, digest, header(res.headers, 'content-type'), what);
  if (isLeft(parsed)) throw parsed.left;
  return parsed.right;
}

/** An image for one platform: the digest to pin, the index it came from, its manifest and config. */
export interface ResolvedImage {
  readonly reference: Reference;
  /** The top-level digest (the index's, for a multi-platform image): what a deployment pins. */
  readonly digest: Digest;
  readonly index?: Manifest & { kind: 'index' };
  readonly manifest: Manifest & { kind: 'image' };
  /** The platform chosen from the index (undefined for a single-platform image). */
  readonly platform?: PlatformSpec;
  readonly config: ImageConfig;
}

/** Fetches an image: follows an index to the platform's manifest, then fetches and verifies the config blob. */
export async function getImage(
  s: Session,
  ref: Reference,
  platform: PlatformSpec,
  limits: { maxManifestBytes: number; maxConfigBytes: number },
): Promise<ResolvedImage> {
  const top = await getManifest(s, ref, limits.maxManifestBytes);
  let manifest: Manifest = top;
  let index: (Manifest & { kind: 'index' }) | undefined;
  let chosen: PlatformSpec | undefined;
  if (top.kind === 'index') {
    index = top;
    const d = selectPlatform(top.index.manifests, platform);
    if (!d) {
      const available = top.index.manifests
        .flatMap((m) => (m.platform && m.platform.os !== 'unknown' ? [formatPlatform(m.platform)] : []))
        .join(', ');
      throw new RegistryError(
        'PLATFORM_NOT_FOUND',
        `${familiarReference(ref)} has no image for ${formatPlatform(platform)} (has: ${available || 'none'})`,
        { registry: ref.registry, repository: ref.repository },
      );
    }
    chosen = d.platform
      ? {
          os: d.platform.os,
          architecture: d.platform.architecture,
          ...(d.platform.variant ? { variant: d.platform.variant } : {}),
        }
      : undefined;
    manifest = await getManifest(
      s,
      { registry: ref.registry, repository: ref.repository, digest: d.digest },
      limits.maxManifestBytes,
    );
    if (manifest.kind !== 'image')
      throw new RegistryError(
        'UNSUPPORTED_MEDIA',
        `${familiarReference(ref)}: nested indexes are not supported`,
      );
  }
  if (manifest.kind !== 'image') throw new RegistryError('UNSUPPORTED_MEDIA', 'unreachable');
  const cfg = manifest.manifest.config;
  const what = `config ${cfg.digest} of ${familiarReference(ref)}`;
  if (cfg.size > limits.maxConfigBytes)
    throw new RegistryError(
      'TOO_LARGE',
      `${what}: ${cfg.size} bytes exceeds the ${limits.maxConfigBytes}-byte limit`,
    );
  const res = await blobRequest(s, ref, cfg.digest, 'GET');
  const bytes = await readVerifiedBlob(res, ref, cfg.digest, cfg.size, limits.maxConfigBytes);
  const config = parseImageConfig(bytes, what);
  if (isLeft(config)) throw config.left;
  return {
    reference: ref,
    digest: top.digest,
    ...(index ? { index } : {}),
    manifest,
    ...(chosen ? { platform: chosen } : {}),
    config: config.right,
  };
}

/** Bytes and media type of a manifest to push. */
export function encodeManifest(
  manifest: Buffer | ImageManifest | ImageIndex,
  mediaType?: string,
): { bytes: Buffer; mediaType: string } {
  const bytes = Buffer.isBuffer(manifest) ? manifest : Buffer.from(JSON.stringify(manifest));
  if (mediaType) return { bytes, mediaType };
  let declared: unknown;
  let isIndex = false;
  try {
    const json = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown; manifests?: unknown };
    declared = json.mediaType;
    isIndex = Array.isArray(json.manifests);
  } catch {
    throw new RegistryError('MANIFEST_INVALID', 'manifest to push is not JSON');
  }
  return {
    bytes,
    mediaType: typeof declared === 'string' ? declared : isIndex ? MediaType.OciIndex : MediaType.OciManifest,
  };
}
