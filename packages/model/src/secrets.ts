import { z } from 'zod';
import { ecsObject, show } from './fields.js';

/**
 * Sensitive data in a container definition, as ECS takes it: `secrets` name a
 * parameter or secret whose value becomes an environment variable,
 * `environmentFiles` name `.env` files, `repositoryCredentials` names the
 * secret holding the registry login for the container's image. Only the
 * references live in task definitions and tasks; values are resolved when a
 * container is created and never stored beside them.
 */
export const ContainerSecret = ecsObject({
  name: z.string().min(1),
  valueFrom: z.string().min(1),
});
export type ContainerSecret = z.output<typeof ContainerSecret>;

/** ECS knows one type, `s3`; Baton also reads `file://` paths and whatever a provider resolves. */
export const EnvironmentFile = ecsObject({
  value: z.string().min(1),
  type: z.literal('s3', { error: (iss) => `must be "s3" (got ${show(iss.input)})` }),
});
export type EnvironmentFile = z.output<typeof EnvironmentFile>;

export const RepositoryCredentials = ecsObject({ credentialsParameter: z.string().min(1) });
export type RepositoryCredentials = z.output<typeof RepositoryCredentials>;

/** The container-definition fields that reference sensitive data (ECS allows ten environment files). */
export const secretFields = {
  secrets: z.array(ContainerSecret).optional(),
  environmentFiles: z.array(EnvironmentFile).max(10).optional(),
  repositoryCredentials: RepositoryCredentials.optional(),
};

/**
 * What a `valueFrom` (or `credentialsParameter`) points at.
 * - `ssm`: an SSM parameter, by name (`/app/db-password`, `token`) or ARN
 *   (`arn:aws:ssm:region:account:parameter/app/db-password`);
 * - `secretsmanager`: a Secrets Manager secret by ARN, full or partial, with
 *   ECS's optional `:json-key:version-stage:version-id` suffix;
 * - `file`: a `file://` path (Baton's own; read only under allowed roots).
 */
export type SecretReference =
  | {
      readonly source: 'ssm';
      /** The parameter name as SSM spells it: hierarchical names start with `/`. */
      readonly name: string;
      readonly region?: string;
      readonly account?: string;
    }
  | {
      readonly source: 'secretsmanager';
      /** The name part of the ARN: the secret's name, perhaps with Secrets Manager's `-XXXXXX` suffix. */
      readonly secretId: string;
      readonly region: string;
      readonly account: string;
      readonly jsonKey?: string;
      readonly versionStage?: string;
      readonly versionId?: string;
    }
  | { readonly source: 'file'; readonly path: string };

export type SecretReferenceResult =
  | { readonly ok: true; readonly reference: SecretReference }
  | { readonly ok: false; readonly message: string };

const ssmName = /^[A-Za-z0-9_.\-/]{1,2048}$/;

/** Parses a `valueFrom` the way ECS reads it; the message says what is wrong when it cannot. */
export function parseSecretReference(valueFrom: string): SecretReferenceResult {
  if (valueFrom.startsWith('file://')) {
    const path = decodeURIComponent(valueFrom.slice('file://'.length));
    if (!path.startsWith('/'))
      return fail(`a file:// reference needs an absolute path (got ${show(valueFrom)})`);
    return { ok: true, reference: { source: 'file', path } };
  }
  if (!valueFrom.startsWith('arn:')) {
    // A bare name is an SSM parameter in the task's own region (ECS's rule).
    if (!ssmName.test(valueFrom)) return fail(`is not a parameter name or ARN (got ${show(valueFrom)})`);
    return { ok: true, reference: { source: 'ssm', name: valueFrom } };
  }
  const parts = valueFrom.split(':');
  const [, partition, service, region, account] = parts;
  if (parts.length < 6 || !partition || !region || !account)
    return fail(`is not a complete ARN (got ${show(valueFrom)})`);
  if (service === 'ssm') {
    const resource = parts.slice(5).join(':');
    if (!resource.startsWith('parameter/') || resource.length === 'parameter/'.length)
      return fail(
        `an SSM ARN must name a parameter: arn:…:ssm:region:account:parameter/name (got ${show(valueFrom)})`,
      );
    const path = resource.slice('parameter/'.length);
    // SSM drops the leading slash of hierarchical names in ARNs.
    const name = path.includes('/') ? `/${path}` : path;
    if (!ssmName.test(name)) return fail(`names an invalid parameter (got ${show(valueFrom)})`);
    return { ok: true, reference: { source: 'ssm', name, region, account } };
  }
  if (service === 'secretsmanager') {
    if (parts[5] !== 'secret' || !parts[6])
      return fail(
        `a Secrets Manager ARN must name a secret: arn:…:secretsmanager:region:account:secret:name (got ${show(valueFrom)})`,
      );
    if (parts.length > 10)
      return fail(
        `has too many parts: the suffix is :json-key:version-stage:version-id (got ${show(valueFrom)})`,
      );
    const [jsonKey, versionStage, versionId] = [parts[7], parts[8], parts[9]];
    return {
      ok: true,
      reference: {
        source: 'secretsmanager',
        secretId: parts[6],
        region,
        account,
        ...(jsonKey ? { jsonKey } : {}),
        ...(versionStage ? { versionStage } : {}),
        ...(versionId ? { versionId } : {}),
      },
    };
  }
  return fail(`must be an SSM parameter or a Secrets Manager secret (got service ${show(service)})`);
}

function fail(message: string): SecretReferenceResult {
  return { ok: false, message };
}

/** AES-256-GCM ciphertext as the store keeps it (base64 fields); `keyId` names the key without revealing it. */
export interface EncryptedValue {
  readonly keyId: string;
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

export type ParameterType = 'String' | 'StringList' | 'SecureString';

/** A parameter of Baton's local parameter store (SSM-shaped). The value is always encrypted at rest. */
export interface ParameterRecord {
  readonly name: string;
  readonly arn: string;
  readonly type: ParameterType;
  readonly version: number;
  readonly description?: string;
  /** Epoch ms. */
  readonly lastModifiedDate: number;
  readonly value: EncryptedValue;
}

export interface SecretVersionRecord {
  readonly versionId: string;
  /** Staging labels: `AWSCURRENT`, `AWSPREVIOUS`, or the user's own. */
  readonly stages: readonly string[];
  readonly createdDate: number;
  readonly value: EncryptedValue;
}

/** A secret of Baton's local secrets store (Secrets Manager-shaped). */
export interface SecretRecord {
  readonly name: string;
  /** `arn:…:secretsmanager:region:account:secret:name-XXXXXX` (six random characters, as Secrets Manager does). */
  readonly arn: string;
  readonly description?: string;
  readonly createdDate: number;
  readonly lastChangedDate: number;
  readonly versions: readonly SecretVersionRecord[];
}
