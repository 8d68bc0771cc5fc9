/** The four manifest media types the client accepts, and the config/layer types it produces. */
export const MediaType = {
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerUncompressed: 'application/vnd.oci.image.layer.v1.tar',
} as const;

export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.OciIndex,
  MediaType.DockerManifestList,
  MediaType.OciManifest,
  MediaType.DockerManifest,
];

export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MediaType.OciIndex,
  MediaType.DockerManifestList,
]);
export const IMAGE_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MediaType.OciManifest,
  MediaType.DockerManifest,
]);

/** The Accept header for manifest requests: all four types, so the registry never down-converts. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

/** `application/json; charset=utf-8` → `application/json`. */
export const baseMediaType = (contentType: string | undefined): string | undefined =>
  contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
