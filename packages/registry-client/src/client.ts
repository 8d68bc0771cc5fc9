import type { Readable } from 'node:stream';
import { isLeft } from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { blobRequest, deleteBlob, headBlob, readVerifiedBlob, verifyingStream } from './blobs.js';
import type { Credentials } from './credentials/types.js';
import { type Digest, parseDigest } from './digest.js';
import { type DockerAuthConfig, dockerAuthConfig } from './docker-auth.js';
import { isNotFound, RegistryError } from './errors.js';
import { type InventoryOptions, imageInventory } from './inventory.js';
import { type ListOptions, listRepositories, listTags } from './listing.js';
import type { Descriptor, ImageIndex, ImageManifest, Manifest } from './manifest.js';
import {
  DEFAULT_MAX_CONFIG_BYTES,
  DEFAULT_MAX_MANIFEST_BYTES,
  getImage,
  getManifest,
  headManifest,
  type ResolvedImage,
} from './manifests.js';
import { hostPlatform, type PlatformSpec } from './platform.js';
import {
  evaluateLifecyclePolicy,
  type ImageRecord,
  type LifecyclePolicy,
  type LifecycleReport,
  parseLifecyclePolicy,
} from './policy/lifecycle.js';
import { PromiseRegistryClient } from './promise.js';
import { type ImageToPush, type IndexEntry, pushImage, pushIndex } from './push-image.js';
import {
  formatReference,
  parseReference,
  parseRepositoryName,
  pinned,
  type Reference,
  type RepositoryName,
} from './reference.js';
import { Session, type SessionOptions } from './session.js';
import {
  type BlobContent,
  deleteManifest,
  mountBlob,
  type PushBlobOptions,
  type PushedBlob,
  type PutManifestOptions,
  pushBlob,
  putManifest,
} from './upload.js';

export interface RegistryClientOptions extends SessionOptions {
  /** Platform picked from an index (default: this host's; pass the engine's, see `engineInfoPlatform`). */
  readonly platform?: PlatformSpec;
  /** Largest manifest accepted (default 4 MiB). */
  readonly maxManifestBytes?: number;
  /** Largest image config accepted (default 8 MiB). */
  readonly maxConfigBytes?: number;
}

export type ReferenceInput = string | Reference;
export type RepositoryInput = string | RepositoryName;

/** A tag resolved to the digest it points at now. */
export interface ResolvedReference extends Descriptor {
  /** The reference as given, normalised. */
  readonly reference: Reference;
  /** The same repository pinned to the digest: what every task of a deployment should run. */
  readonly pinned: Reference;
}

/** Everything a Docker engine needs to pull an image by digest with the right credentials. */
export interface PullSpec {
  /** `registry/repository@sha256:…`, for `docker.pull(image, { authconfig })`. */
  readonly image: string;
  readonly reference: Reference;
  readonly digest: Digest;
  /** The manifest's media type ('' when the reference was already a digest and nothing was fetched). */
  readonly mediaType: string;
  /** dockerode's `authconfig` (sent as X-Registry-Auth); undefined for anonymous pulls. */
  readonly authconfig?: DockerAuthConfig;
}

export interface ApplyResult {
  readonly report: LifecycleReport;
  /** Digests deleted. */
  readonly deleted: readonly string[];
  /** Deletions that failed, with the error. */
  readonly failed: readonly { digest: string; error: RegistryError }[];
}

const toError = (e: unknown): RegistryError =>
  e instanceof RegistryError
    ? e
    : new RegistryError('UNKNOWN', `unexpected error: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });

const run = <T>(f: () => Promise<T>): TE.TaskEither<RegistryError, T> => TE.tryCatch(f, toError);

function ref(input: ReferenceInput): Reference {
  if (typeof input !== 'string') return input;
  const r = parseReference(input);
  if (isLeft(r)) throw r.left;
  return r.right;
}

function repo(input: RepositoryInput): RepositoryName {
  if (typeof input !== 'string') return { registry: input.registry, repository: input.repository };
  const r = parseRepositoryName(input);
  if (isLeft(r)) throw r.left;
  return r.right;
}

function digest(input: string): Digest {
  const d = parseDigest(input);
  if (isLeft(d)) throw d.left;
  return d.right;
}

/**
 * An OCI distribution client. Every operation returns a `TaskEither<RegistryError, T>`; the same
 * operations returning Promises are on `client.promises`. One client holds one connection pool and
 * one token cache: share it.
 */
export class RegistryClient {
  readonly session: Session;
  private readonly platform: PlatformSpec;
  private readonly maxManifestBytes: number;
  private readonly maxConfigBytes: number;
  /** The same operations, as Promises that reject with a RegistryError. */
  readonly promises: PromiseRegistryClient;

  constructor(options: RegistryClientOptions = {}) {
    this.session = new Session(options);
    this.platform = options.platform ?? hostPlatform();
    this.maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
    this.maxConfigBytes = options.maxConfigBytes ?? DEFAULT_MAX_CONFIG_BYTES;
    this.promises = new PromiseRegistryClient(this);
  }

  /** `GET /v2/`: is the registry there, and how does it want us to authenticate? */
  ping(registry: string): TE.TaskEither<RegistryError, { auth: 'none' | 'basic' | 'bearer' }> {
    return run(async () => {
      const c = await this.session.challenge(registry);
      return { auth: c === null ? 'none' : c.scheme === 'basic' ? 'basic' : 'bearer' };
    });
  }

  /** Resolves a reference to the digest it names now (HEAD; a digest reference is checked to exist). */
  resolve(reference: ReferenceInput): TE.TaskEither<RegistryError, ResolvedReference> {
    return run(async () => {
      const r = ref(reference);
      const d = await headManifest(this.session, r, this.maxManifestBytes);
      return { ...d, reference: r, pinned: pinned(r, d.digest) };
    });
  }

  /** Does the image exist? (false only for MANIFEST_UNKNOWN / NAME_UNKNOWN; other failures are errors.) */
  exists(reference: ReferenceInput): TE.TaskEither<RegistryError, boolean> {
    return run(async () => {
      try {
        await headManifest(this.session, ref(reference), this.maxManifestBytes);
        return true;
      } catch (e) {
        if (isNotFound(e)) return false;
        throw e;
      }
    });
  }

  /** The manifest or index, verified against its digest. */
  getManifest(reference: ReferenceInput): TE.TaskEither<RegistryError, Manifest> {
    return run(() => getManifest(this.session, ref(reference), this.maxManifestBytes));
  }

  /** The image for a platform (index followed), with its config blob, all verified. */
  getImage(
    reference: ReferenceInput,
    options: { platform?: PlatformSpec } = {},
  ): TE.TaskEither<RegistryError, ResolvedImage> {
    return run(() =>
      getImage(this.session, ref(reference), options.platform ?? this.platform, {
        maxManifestBytes: this.maxManifestBytes,
        maxConfigBytes: this.maxConfigBytes,
      }),
    );
  }

  /** Every tag of a repository (paginated, with a loop guard). */
  listTags(repository: RepositoryInput, options: ListOptions = {}): TE.TaskEither<RegistryError, string[]> {
    return run(() => listTags(this.session, repo(repository), options));
  }

  /** Every repository of a registry (`/v2/_catalog`, paginated). */
  listRepositories(registry: string, options: ListOptions = {}): TE.TaskEither<RegistryError, string[]> {
    return run(() => listRepositories(this.session, registry, options));
  }

  /** A blob's descriptor, or undefined when absent. */
  headBlob(
    repository: RepositoryInput,
    blobDigest: string,
  ): TE.TaskEither<RegistryError, Descriptor | undefined> {
    return run(() => headBlob(this.session, repo(repository), digest(blobDigest)));
  }

  /** A blob as a stream that fails (instead of ending) on a digest mismatch or truncation. */
  getBlob(
    repository: RepositoryInput,
    blobDigest: string,
    options: { size?: number } = {},
  ): TE.TaskEither<RegistryError, Readable> {
    return run(async () => {
      const r = repo(repository);
      const d = digest(blobDigest);
      const res = await blobRequest(this.session, r, d, 'GET');
      return verifyingStream(res, r, d, options.size);
    });
  }

  /** A blob in memory, verified (default limit 64 MiB). */
  fetchBlob(
    repository: RepositoryInput,
    blobDigest: string,
    options: { size?: number; maxBytes?: number } = {},
  ): TE.TaskEither<RegistryError, Buffer> {
    return run(async () => {
      const r = repo(repository);
      const d = digest(blobDigest);
      const res = await blobRequest(this.session, r, d, 'GET');
      return readVerifiedBlob(res, r, d, options.size, options.maxBytes ?? 64 * 1024 * 1024);
    });
  }

  /** Pushes a blob (skipped when present; mounted when `mountFrom` allows; monolithic or chunked upload). */
  pushBlob(
    repository: RepositoryInput,
    content: BlobContent,
    options: PushBlobOptions = {},
  ): TE.TaskEither<RegistryError, PushedBlob> {
    return run(() => pushBlob(this.session, repo(repository), content, options));
  }

  /** Cross-repository mount only: true when mounted, false when the registry declined (no upload is made). */
  mountBlob(
    repository: RepositoryInput,
    blobDigest: string,
    from: RepositoryInput,
  ): TE.TaskEither<RegistryError, boolean> {
    return run(() => mountBlob(this.session, repo(repository), digest(blobDigest), repo(from)));
  }

  /** PUTs a manifest or index under the reference's tag (or digest); `tagMutability: 'IMMUTABLE'` guards tags. */
  putManifest(
    reference: ReferenceInput,
    manifest: Buffer | ImageManifest | ImageIndex,
    options: Partial<PutManifestOptions> = {},
  ): TE.TaskEither<RegistryError, Descriptor> {
    return run(() =>
      putManifest(this.session, ref(reference), manifest, {
        maxManifestBytes: this.maxManifestBytes,
        ...options,
      }),
    );
  }

  /** Pushes a whole single-platform image: layers, config, then the manifest. */
  pushImage(
    reference: ReferenceInput,
    image: ImageToPush,
    options: Partial<PutManifestOptions> & { chunkSize?: number } = {},
  ): TE.TaskEither<RegistryError, Descriptor> {
    return run(() =>
      pushImage(this.session, ref(reference), image, { maxManifestBytes: this.maxManifestBytes, ...options }),
    );
  }

  /** Pushes an index over manifests already in the repository (e.g. one per platform). */
  pushIndex(
    reference: ReferenceInput,
    manifests: readonly IndexEntry[],
    options: Partial<PutManifestOptions> = {},
  ): TE.TaskEither<RegistryError, Descriptor> {
    return run(() =>
      pushIndex(this.session, ref(reference), manifests, {
        maxManifestBytes: this.maxManifestBytes,
        ...options,
      }),
    );
  }

  /** Deletes a manifest by digest (a tag is resolved first; every tag on that digest goes). Returns the digest. */
  deleteManifest(reference: ReferenceInput): TE.TaskEither<RegistryError, Digest> {
    return run(() => deleteManifest(this.session, ref(reference), this.maxManifestBytes));
  }

  deleteBlob(repository: RepositoryInput, blobDigest: string): TE.TaskEither<RegistryError, void> {
    return run(() => deleteBlob(this.session, repo(repository), digest(blobDigest)));
  }

  /** The credentials the client would use for a registry (from its provider). */
  credentialsFor(registry: string): TE.TaskEither<RegistryError, Credentials | undefined> {
    return run(() => this.session.credentials(registry));
  }

  /**
   * What a Docker engine needs to pull exactly one digest: the tag resolved now (HEAD), the pinned
   * `repo@digest` and dockerode's `authconfig`. A digest reference costs no request.
   */
  preparePull(reference: ReferenceInput): TE.TaskEither<RegistryError, PullSpec> {
    return run(async () => {
      const r = ref(reference);
      // A digest reference is already pinned: no lookup, the engine verifies the content it pulls.
      const d =
        r.digest !== undefined
          ? { digest: r.digest, mediaType: '' }
          : await headManifest(this.session, r, this.maxManifestBytes);
      const auth = dockerAuthConfig(r.registry, await this.session.credentials(r.registry));
      return {
        image: formatReference(pinned(r, d.digest)),
        reference: r,
        digest: d.digest,
        mediaType: d.mediaType,
        ...(auth ? { authconfig: auth } : {}),
      };
    });
  }

  /** The repository's images (tags grouped by digest, push time from the image config's `created`). */
  imageInventory(
    repository: RepositoryInput,
    options: InventoryOptions = {},
  ): TE.TaskEither<RegistryError, ImageRecord[]> {
    return run(() => imageInventory(this, repo(repository), { platform: this.platform, ...options }));
  }

  /**
   * Evaluates a lifecycle policy against the repository (dry run: nothing is deleted). `images`
   * replaces the inventory read from the registry (which cannot see untagged images).
   */
  planLifecycle(
    repository: RepositoryInput,
    policy: unknown,
    options: { now?: number | Date; images?: readonly ImageRecord[] } = {},
  ): TE.TaskEither<RegistryError, LifecycleReport> {
    return run(async () => {
      const p = parseLifecyclePolicy(policy);
      if (isLeft(p)) throw p.left;
      const images = options.images ?? (await this.promises.imageInventory(repository));
      return evaluateLifecyclePolicy(p.right as LifecyclePolicy, images, options.now ?? this.session.now());
    });
  }

  /** Deletes the images a report expires; failures are collected, not fatal. */
  applyLifecycle(
    repository: RepositoryInput,
    report: LifecycleReport,
  ): TE.TaskEither<RegistryError, ApplyResult> {
    return run(async () => {
      const r = repo(repository);
      const deleted: string[] = [];
      const failed: { digest: string; error: RegistryError }[] = [];
      for (const e of report.expired) {
        try {
          await deleteManifest(this.session, { ...r, digest: digest(e.digest) }, this.maxManifestBytes);
          deleted.push(e.digest);
        } catch (err) {
          failed.push({ digest: e.digest, error: toError(err) });
        }
      }
      return { report, deleted, failed };
    });
  }

  /** Closes pooled connections. */
  close(): void {
    this.session.close();
  }
}

/** A client with the given options (credentials, timeouts, retries, platform…). */
export const createRegistryClient = (options: RegistryClientOptions = {}): RegistryClient =>
  new RegistryClient(options);
