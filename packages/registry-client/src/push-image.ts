import { sha256 } from './digest.js';
import type { Descriptor, ImageIndex, ImageManifest, Platform } from './manifest.js';
import { MediaType } from './media-types.js';
import type { Reference } from './reference.js';
import type { Session } from './session.js';
import { type PutManifestOptions, pushBlob, putManifest } from './upload.js';

/** A single-platform image to push: its config (object or bytes) and layers. */
export interface ImageToPush {
  readonly config: Buffer | Record<string, unknown>;
  readonly layers: readonly { readonly data: Buffer; readonly mediaType?: string }[];
  /** OCI (default) or Docker v2 schema 2 media types. */
  readonly format?: 'oci' | 'docker';
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One entry of an index to push: a manifest already in the repository, and its platform. */
export interface IndexEntry extends Descriptor {
  readonly platform: Platform;
}

/** Pushes layers and config (each skipped when present), then the manifest. */
export async function pushImage(
  s: Session,
  ref: Reference,
  image: ImageToPush,
  options: PutManifestOptions & { chunkSize?: number },
): Promise<Descriptor> {
  const docker = image.format === 'docker';
  const configBytes = Buffer.isBuffer(image.config)
    ? image.config
    : Buffer.from(JSON.stringify(image.config));
  const layers: Descriptor[] = [];
  for (const l of image.layers) {
    const mediaType = l.mediaType ?? (docker ? MediaType.DockerLayer : MediaType.OciLayer);
    await pushBlob(s, ref, l.data, {
      mediaType,
      ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
    });
    layers.push({ mediaType, digest: sha256(l.data), size: l.data.length });
  }
  const configType = docker ? MediaType.DockerConfig : MediaType.OciConfig;
  await pushBlob(s, ref, configBytes, { mediaType: configType });
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: docker ? MediaType.DockerManifest : MediaType.OciManifest,
    config: { mediaType: configType, digest: sha256(configBytes), size: configBytes.length },
    layers,
    ...(image.annotations ? { annotations: image.annotations } : {}),
  };
  return putManifest(s, ref, manifest, options);
}

/** Pushes an OCI index over manifests already pushed to the repository. */
export function pushIndex(
  s: Session,
  ref: Reference,
  manifests: readonly IndexEntry[],
  options: PutManifestOptions,
): Promise<Descriptor> {
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: manifests.map((m) => ({
      mediaType: m.mediaType,
      digest: m.digest,
      size: m.size,
      platform: m.platform,
    })),
  };
  return putManifest(s, ref, index, options);
}
