import { type Either, left, right } from 'fp-ts/lib/Either.js';
import { z } from 'zod';
import type { Digest } from './digest.js';
import { RegistryError } from './errors.js';
import { baseMediaType, INDEX_MEDIA_TYPES, MediaType } from './media-types.js';

const digestString = z.string().regex(/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/, 'not a digest');

export const PlatformSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
  variant: z.string().optional(),
});
export type Platform = z.infer<typeof PlatformSchema>;

export const DescriptorSchema = z.looseObject({
  mediaType: z.string(),
  digest: digestString,
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: PlatformSchema.optional(),
  artifactType: z.string().optional(),
});
/** A content descriptor: what a manifest points at. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly urls?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: Platform;
  readonly artifactType?: string;
}

export const ImageManifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: DescriptorSchema,
  layers: z.array(DescriptorSchema),
  subject: DescriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
/** An image manifest (Docker v2 schema 2 or OCI). */
export interface ImageManifest {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

export const ImageIndexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(DescriptorSchema),
  subject: DescriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
/** An index (OCI image index or Docker manifest list). */
export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly manifests: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A fetched manifest: its verified digest, exact bytes, and parsed body. */
export type Manifest =
  | {
      readonly kind: 'image';
      readonly mediaType: string;
      readonly digest: Digest;
      readonly size: number;
      readonly bytes: Buffer;
      readonly manifest: ImageManifest;
    }
  | {
      readonly kind: 'index';
      readonly mediaType: string;
      readonly digest: Digest;
      readonly size: number;
      readonly bytes: Buffer;
      readonly index: ImageIndex;
    };

/** The subset of an image config (OCI image-spec config) the client reads; everything else is kept. */
export const ImageConfigSchema = z.looseObject({
  architecture: z.string().optional(),
  os: z.string().optional(),
  variant: z.string().optional(),
  created: z.string().optional(),
  config: z
    .looseObject({
      Env: z.array(z.string()).nullish(),
      Entrypoint: z.array(z.string()).nullish(),
      Cmd: z.array(z.string()).nullish(),
      WorkingDir: z.string().nullish(),
      User: z.string().nullish(),
      ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
      Labels: z.record(z.string(), z.string()).nullish(),
    })
    .optional(),
  rootfs: z.looseObject({ type: z.string(), diff_ids: z.array(z.string()) }).optional(),
});
export type ImageConfig = z.infer<typeof ImageConfigSchema>;

const invalid = (what: string, detail: string): RegistryError =>
  new RegistryError('INVALID_RESPONSE', `${what}: ${detail}`);

/**
 * Parses manifest bytes whose digest was already verified. The body's `mediaType` wins over the
 * Content-Type header (the header is the registry's claim; the body is what was hashed).
 */
export function parseManifest(
  bytes: Buffer,
  digest: Digest,
  contentType: string | undefined,
  what: string,
): Either<RegistryError, Manifest> {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return left(invalid(what, 'manifest is not JSON'));
  }
  if (typeof json !== 'object' || json === null) return left(invalid(what, 'manifest is not a JSON object'));
  const declared = 'mediaType' in json && typeof json.mediaType === 'string' ? json.mediaType : undefined;
  const schemaVersion = 'schemaVersion' in json ? json.schemaVersion : undefined;
  const mediaType = declared ?? baseMediaType(contentType);
  if (schemaVersion === 1 || mediaType?.startsWith('application/vnd.docker.distribution.manifest.v1'))
    return left(
      new RegistryError('UNSUPPORTED_MEDIA', `${what}: Docker schema 1 manifests are not supported`),
    );
  const isIndex =
    (mediaType !== undefined && INDEX_MEDIA_TYPES.has(mediaType)) ||
    ('manifests' in json && !('config' in json));
  if (isIndex) {
    const r = ImageIndexSchema.safeParse(json);
    if (!r.success)
      return left(invalid(what, `bad index: ${z.prettifyError(r.error).split('\n').join(' ')}`));
    return right({
      kind: 'index',
      mediaType: mediaType ?? MediaType.OciIndex,
      digest,
      size: bytes.length,
      bytes,
      index: r.data as ImageIndex,
    });
  }
  const r = ImageManifestSchema.safeParse(json);
  if (!r.success)
    return left(invalid(what, `bad manifest: ${z.prettifyError(r.error).split('\n').join(' ')}`));
  return right({
    kind: 'image',
    mediaType: mediaType ?? MediaType.OciManifest,
    digest,
    size: bytes.length,
    bytes,
    manifest: r.data as ImageManifest,
  });
}

/** Parses an image config blob. */
export function parseImageConfig(bytes: Buffer, what: string): Either<RegistryError, ImageConfig> {
  try {
    const r = ImageConfigSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return r.success
      ? right(r.data)
      : left(invalid(what, `bad image config: ${r.error.issues[0]?.message ?? ''}`));
  } catch {
    return left(invalid(what, 'image config is not JSON'));
  }
}
