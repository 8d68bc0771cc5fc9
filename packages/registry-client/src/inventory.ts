import type { RegistryClient } from './client.js';
import type { Digest } from './digest.js';
import { isNotFound } from './errors.js';
import type { PlatformSpec } from './platform.js';
import type { ImageRecord } from './policy/lifecycle.js';
import type { RepositoryName } from './reference.js';

export interface InventoryOptions {
  readonly platform?: PlatformSpec;
  /** Requests in flight at once (default 8). */
  readonly concurrency?: number;
  /**
   * Push time for an image whose config has no usable `created` (default: now), so that a policy
   * never expires an image for an age it cannot know.
   */
  readonly unknownPushedAt?: number;
}

/**
 * Reads a repository's images for a lifecycle policy: tags grouped by the digest they point at,
 * with the image config's `created` as the push time (the distribution API records none; an
 * index uses its `org.opencontainers.image.created` annotation, else its chosen platform's config).
 * Untagged manifests are invisible through the API, so `untagged` rules only act on inventories
 * you supply yourself.
 */
export async function imageInventory(
  client: RegistryClient,
  repo: RepositoryName,
  options: InventoryOptions,
): Promise<ImageRecord[]> {
  const c = client.promises;
  const tags = await c.listTags(repo);
  const byDigest = new Map<Digest, string[]>();
  await forEach(tags, options.concurrency ?? 8, async (tag) => {
    try {
      const d = await c.resolve({ ...repo, tag });
      byDigest.set(d.digest, [...(byDigest.get(d.digest) ?? []), tag]);
    } catch (e) {
      if (!isNotFound(e)) throw e; // deleted since listed
    }
  });
  const records: ImageRecord[] = [];
  await forEach([...byDigest], options.concurrency ?? 8, async ([digest, tagList]) => {
    const m = await c.getManifest({ ...repo, digest });
    let created = m.kind === 'index' ? m.index.annotations?.['org.opencontainers.image.created'] : undefined;
    if (created === undefined) {
      const image = await c.getImage(
        { ...repo, digest },
        options.platform ? { platform: options.platform } : {},
      );
      created = image.config.created;
    }
    const at = created === undefined ? Number.NaN : Date.parse(created);
    records.push({
      digest,
      tags: tagList.sort(),
      pushedAt: Number.isNaN(at) ? (options.unknownPushedAt ?? Date.now()) : at,
    });
  });
  return records.sort((a, b) => (a.digest < b.digest ? -1 : 1));
}

/** Runs `f` over items with at most `limit` in flight; the first failure fails the whole. */
export async function forEach<T>(
  items: readonly T[],
  limit: number,
  f: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await f(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
