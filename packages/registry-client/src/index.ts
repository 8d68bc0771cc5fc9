// @baton-ecs/registry-client: an OCI distribution client (the ECR role) with an fp-ts TaskEither API,
// Promise wrappers, credential providers and ECR-style repository policies.

export { type Challenge, chooseChallenge, parseChallenges } from './challenge.js';
export {
  type ApplyResult,
  createRegistryClient,
  type PullSpec,
  type ReferenceInput,
  RegistryClient,
  type RegistryClientOptions,
  type RepositoryInput,
  type ResolvedReference,
} from './client.js';
export {
  type DockerConfigOptions,
  dockerConfigCredentials,
  type HelperRunner,
  spawnHelper,
} from './credentials/docker-config.js';
export {
  type AuthorizationToken,
  anonymous,
  chainCredentials,
  ecrCredentials,
  isEcrRegistry,
  staticCredentials,
  type TokenProviderOptions,
  tokenCredentialProvider,
} from './credentials/providers.js';
export {
  type BasicCredentials,
  basicCredentials,
  type CredentialProvider,
  type Credentials,
  decodeBasicAuth,
  type IdentityTokenCredentials,
  identityTokenCredentials,
  type RegistryTokenCredentials,
  registryKey,
  registryTokenCredentials,
} from './credentials/types.js';
export { type Digest, isDigest, parseDigest, sha256 } from './digest.js';
export {
  type DockerAuthConfig,
  dockerAuthConfig,
  dockerServerAddress,
  registryAuthHeader,
} from './docker-auth.js';
export {
  type ClientErrorCode,
  DISTRIBUTION_ERROR_CODES,
  type DistributionErrorCode,
  isNotFound,
  isRegistryError,
  isTransient,
  RegistryError,
  type RegistryErrorCode,
} from './errors.js';
export { ImageResolver, type ImageResolverOptions } from './image-resolver.js';
export type { InventoryOptions } from './inventory.js';
export { type ListOptions, parseNextLink } from './listing.js';
export {
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type Manifest,
  type Platform,
  parseManifest,
} from './manifest.js';
export { DEFAULT_MAX_CONFIG_BYTES, DEFAULT_MAX_MANIFEST_BYTES, type ResolvedImage } from './manifests.js';
export { MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES, MediaType } from './media-types.js';
export {
  engineInfoPlatform,
  formatPlatform,
  hostPlatform,
  normalizePlatform,
  type PlatformSpec,
  parsePlatform,
  selectPlatform,
} from './platform.js';
export {
  type ExpiredImage,
  evaluateLifecyclePolicy,
  formatLifecycleReport,
  type ImageRecord,
  type LifecyclePolicy,
  LifecyclePolicySchema,
  type LifecycleReport,
  type LifecycleRule,
  parseLifecyclePolicy,
  ruleSelects,
  tagPatternMatches,
  validateRules,
} from './policy/lifecycle.js';
export { checkTagMutability, type TagMutability } from './policy/mutability.js';
export { PromiseRegistryClient, type Promisified } from './promise.js';
export type { ImageToPush, IndexEntry } from './push-image.js';
export {
  DOCKER_HUB,
  familiarReference,
  formatReference,
  formatRepository,
  isValidTag,
  manifestTarget,
  parseReference,
  parseRepositoryName,
  pinned,
  pinnedReference,
  type Reference,
  type RepositoryName,
} from './reference.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export type { RegistryLogEvent, SessionOptions } from './session.js';
export type { BlobContent, PushBlobOptions, PushedBlob, PutManifestOptions } from './upload.js';
