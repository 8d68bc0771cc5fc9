import { type DockerAuthConfig, type ImageResolver, parseReference } from '@baton-ecs/registry-client';
import { isLeft } from 'fp-ts/lib/Either.js';

/** An image pinned to a digest, with the credentials to pull it. */
export interface PinnedImage {
  /** `repository@sha256:…`: what the container is created from. */
  readonly image: string;
  readonly digest: string;
  readonly authconfig?: DockerAuthConfig;
}

/**
 * Resolves an image reference to a digest once per scope (a deployment), so
 * every task of a deployment runs the same image even if the tag moves — as
 * ECS does. `undefined` means: use the reference as it is.
 */
export interface ImagePinner {
  pin(image: string, scope: string): Promise<PinnedImage | undefined>;
}

/**
 * Pins images through a registry client's ImageResolver. Only references on
 * `registries` are pinned (default: every registry but docker.io), so local
 * images such as `baton-test/busybox:1` — which Docker's rules place on
 * docker.io — are never looked up on the internet.
 */
export function registryImagePinner(
  resolver: ImageResolver,
  options: { readonly registries?: readonly string[] } = {},
): ImagePinner {
  const wanted = (registry: string) =>
    options.registries ? options.registries.includes(registry) : registry !== 'docker.io';
  return {
    async pin(image, scope) {
      const ref = parseReference(image);
      // Not a reference the client reads: the engine will say what is wrong with it.
      if (isLeft(ref) || !wanted(ref.right.registry)) return undefined;
      const spec = await resolver.prepare(image, scope);
      return {
        image: spec.image,
        digest: spec.digest,
        ...(spec.authconfig ? { authconfig: spec.authconfig } : {}),
      };
    },
  };
}
