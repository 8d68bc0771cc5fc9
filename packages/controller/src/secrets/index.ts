export { parseEncryptionKey, SecretCipher, SecretIntegrityError } from './cipher.js';
export { type SecretsOptions, validateSecretsOptions } from './options.js';
export {
  parseEnvironmentFile,
  type RegistryAuth,
  type SecretProviderFunction,
  type SecretRequest,
  SecretResolutionError,
  SecretResolver,
  type SecretResolverOptions,
} from './resolver.js';
export { type ParameterMetadata, type SecretMetadata, SecretsApi } from './secrets-api.js';
