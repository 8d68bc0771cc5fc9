import { randomInt, randomUUID } from 'node:crypto';
import type { Clock } from '@baton-ecs/loop';
import {
  type ArnContext,
  type ParameterRecord,
  type ParameterType,
  parseSecretReference,
  type SecretRecord,
  type SecretVersionRecord,
} from '@baton-ecs/model';
import type { BatonKinds, Store } from '@baton-ecs/store';
import { z } from 'zod';
import { BatonApiError } from '../errors.js';
import { type SecretCipher, SecretIntegrityError } from './cipher.js';

/** Secrets Manager keeps the latest versions; older ones without a staging label are dropped. */
const maxSecretVersions = 10;
const current = 'AWSCURRENT';
const previous = 'AWSPREVIOUS';

const parameterName = z
  .string()
  .regex(/^[A-Za-z0-9_.\-/]{1,2048}$/, 'must be 1–2048 letters, digits or _.-/')
  .refine((n) => !n.includes('/') || n.startsWith('/'), 'a hierarchical name must start with "/"');
const secretName = z
  .string()
  .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be 1–512 letters, digits or /_+=.@-');

const PutParameter = z.strictObject({
  Name: parameterName,
  Value: z.string().min(1).max(8192),
  Type: z.enum(['String', 'StringList', 'SecureString']).default('String'),
  Description: z.string().max(1024).optional(),
  Overwrite: z.boolean().default(false),
});
const ByName = z.strictObject({ Name: parameterName });
const GetParameter = z.strictObject({ Name: parameterName, WithDecryption: z.boolean().optional() });
const CreateSecret = z.strictObject({
  Name: secretName,
  SecretString: z.string().min(1).max(65536),
  Description: z.string().max(2048).optional(),
});
const PutSecretValue = z.strictObject({
  SecretId: z.string().min(1),
  SecretString: z.string().min(1).max(65536),
  VersionStages: z.array(z.string().min(1).max(256)).min(1).max(20).optional(),
});
const GetSecretValue = z.strictObject({
  SecretId: z.string().min(1),
  VersionId: z.string().min(1).optional(),
  VersionStage: z.string().min(1).optional(),
});
const BySecretId = z.strictObject({ SecretId: z.string().min(1) });

function parse<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new BatonApiError(
    'InvalidParameterException',
    `${operation}: ${issue.path.join('.') || 'request'}: ${issue.message}`,
  );
}

/** What describe and list return of a parameter: never its value. */
export interface ParameterMetadata {
  readonly Name: string;
  readonly ARN: string;
  readonly Type: ParameterType;
  readonly Version: number;
  readonly LastModifiedDate: Date;
  readonly Description?: string;
}

/** What describe and list return of a secret: never its value. */
export interface SecretMetadata {
  readonly ARN: string;
  readonly Name: string;
  readonly Description?: string;
  readonly CreatedDate: Date;
  readonly LastChangedDate: Date;
  readonly VersionIdsToStages: Readonly<Record<string, readonly string[]>>;
}

/**
 * Baton's local parameter store and secrets store (`baton.secrets`), shaped
 * like SSM Parameter Store and Secrets Manager. Values are encrypted with the
 * embedding service's key before they reach the store; describe and list
 * calls return metadata only, and `getParameter` / `getSecretValue` are the
 * only calls that return a value.
 */
export class SecretsApi {
  constructor(
    private readonly store: Store<BatonKinds>,
    private readonly cipher: SecretCipher | undefined,
    private readonly clock: Clock,
    private readonly arn: ArnContext,
  ) {}

  // --- parameters (SSM) --------------------------------------------------------

  async putParameter(request: z.input<typeof PutParameter>): Promise<{ Version: number; Tier: 'Standard' }> {
    const r = parse(PutParameter, request, 'PutParameter');
    const cipher = this.requireCipher('PutParameter');
    const existing = await this.store.get('Parameter', r.Name);
    if (existing && !r.Overwrite)
      throw new BatonApiError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    const version = (existing?.object.version ?? 0) + 1;
    const record: ParameterRecord = {
      name: r.Name,
      arn: this.parameterArn(r.Name),
      type: r.Type,
      version,
      ...(r.Description !== undefined
        ? { description: r.Description }
        : existing?.object.description !== undefined
          ? { description: existing.object.description }
          : {}),
      lastModifiedDate: this.clock.now(),
      value: cipher.encrypt(r.Value, parameterContext(r.Name, version)),
    };
    if (existing) await this.store.update('Parameter', r.Name, record, { ifVersion: existing.version });
    else await this.store.create('Parameter', record);
    return { Version: version, Tier: 'Standard' };
  }

  /** The parameter with its value: the one call that returns a parameter's value. */
  async getParameter(
    request: z.input<typeof GetParameter>,
  ): Promise<{ Parameter: ParameterMetadata & { readonly Value: string; readonly DataType: 'text' } }> {
    const r = parse(GetParameter, request, 'GetParameter');
    const record = await this.parameterRecord(r.Name);
    return {
      Parameter: { ...parameterMetadata(record), Value: this.parameterValue(record), DataType: 'text' },
    };
  }

  async describeParameters(): Promise<{ Parameters: ParameterMetadata[] }> {
    const { items } = await this.store.list('Parameter');
    return { Parameters: items.map((e) => parameterMetadata(e.object)) };
  }

  async deleteParameter(request: z.input<typeof ByName>): Promise<void> {
    const r = parse(ByName, request, 'DeleteParameter');
    await this.parameterRecord(r.Name);
    await this.store.delete('Parameter', r.Name);
  }

  // --- secrets (Secrets Manager) -------------------------------------------------

  async createSecret(
    request: z.input<typeof CreateSecret>,
  ): Promise<{ ARN: string; Name: string; VersionId: string }> {
    const r = parse(CreateSecret, request, 'CreateSecret');
    const cipher = this.requireCipher('CreateSecret');
    if (await this.store.get('Secret', r.Name))
      throw new BatonApiError(
        'ResourceExistsException',
        `The operation failed because the secret ${r.Name} already exists.`,
      );
    const now = this.clock.now();
    const versionId = randomUUID();
    const record: SecretRecord = {
      name: r.Name,
      arn: `${this.secretArnPrefix()}${r.Name}-${randomSuffix()}`,
      ...(r.Description !== undefined ? { description: r.Description } : {}),
      createdDate: now,
      lastChangedDate: now,
      versions: [
        {
          versionId,
          stages: [current],
          createdDate: now,
          value: cipher.encrypt(r.SecretString, secretContext(r.Name, versionId)),
        },
      ],
    };
    await this.store.create('Secret', record);
    return { ARN: record.arn, Name: record.name, VersionId: versionId };
  }

  /** A new version; by default it becomes AWSCURRENT and the former current one AWSPREVIOUS. */
  async putSecretValue(
    request: z.input<typeof PutSecretValue>,
  ): Promise<{ ARN: string; Name: string; VersionId: string; VersionStages: string[] }> {
    const r = parse(PutSecretValue, request, 'PutSecretValue');
    const cipher = this.requireCipher('PutSecretValue');
    const entry = await this.secretEntry(r.SecretId);
    const stages = r.VersionStages ?? [current];
    const versionId = randomUUID();
    const now = this.clock.now();
    const old = entry.object;
    const wasCurrent = old.versions.find((v) => v.stages.includes(current));
    const moved = old.versions.map((v) => {
      // A label lives on one version at a time; moving AWSCURRENT leaves AWSPREVIOUS on the old one.
      let labels = v.stages.filter(
        (s) => !stages.includes(s) && !(stages.includes(current) && s === previous),
      );
      if (stages.includes(current) && v === wasCurrent) labels = [...labels, previous];
      return { ...v, stages: labels };
    });
    const versions: SecretVersionRecord[] = [
      {
        versionId,
        stages,
        createdDate: now,
        value: cipher.encrypt(r.SecretString, secretContext(old.name, versionId)),
      },
      ...moved,
    ].filter((v, i) => i < maxSecretVersions || v.stages.length > 0);
    await this.store.update(
      'Secret',
      old.name,
      { ...old, lastChangedDate: now, versions },
      {
        ifVersion: entry.version,
      },
    );
    return { ARN: old.arn, Name: old.name, VersionId: versionId, VersionStages: [...stages] };
  }

  /** The secret's value (AWSCURRENT unless a version is asked for): the one call that returns it. */
  async getSecretValue(request: z.input<typeof GetSecretValue>): Promise<{
    ARN: string;
    Name: string;
    VersionId: string;
    SecretString: string;
    VersionStages: string[];
    CreatedDate: Date;
  }> {
    const r = parse(GetSecretValue, request, 'GetSecretValue');
    const { object } = await this.secretEntry(r.SecretId);
    const version = this.secretVersion(object, r.VersionId, r.VersionStage);
    return {
      ARN: object.arn,
      Name: object.name,
      VersionId: version.versionId,
      SecretString: this.decrypt(version.value, secretContext(object.name, version.versionId)),
      VersionStages: [...version.stages],
      CreatedDate: new Date(version.createdDate),
    };
  }

  async describeSecret(request: z.input<typeof BySecretId>): Promise<SecretMetadata> {
    const r = parse(BySecretId, request, 'DescribeSecret');
    return secretMetadata((await this.secretEntry(r.SecretId)).object);
  }

  async listSecrets(): Promise<{ SecretList: SecretMetadata[] }> {
    const { items } = await this.store.list('Secret');
    return { SecretList: items.map((e) => secretMetadata(e.object)) };
  }

  /** Deletes at once (Secrets Manager's ForceDeleteWithoutRecovery). */
  async deleteSecret(
    request: z.input<typeof BySecretId>,
  ): Promise<{ ARN: string; Name: string; DeletionDate: Date }> {
    const r = parse(BySecretId, request, 'DeleteSecret');
    const { object } = await this.secretEntry(r.SecretId);
    await this.store.delete('Secret', object.name);
    return { ARN: object.arn, Name: object.name, DeletionDate: new Date(this.clock.now()) };
  }

  // --- lookups the container resolver shares ---------------------------------------

  /** A parameter's value by name, or undefined when there is none. */
  async parameterValueOf(name: string): Promise<string | undefined> {
    const entry = await this.store.get('Parameter', name);
    return entry ? this.parameterValue(entry.object) : undefined;
  }

  /**
   * A secret version's value by name, full ARN or partial ARN; `undefined`
   * when there is no such secret, `{ missing }` when the version is absent.
   */
  async secretValueOf(
    secretId: string,
    versionId?: string,
    versionStage?: string,
  ): Promise<{ readonly value: string } | { readonly missing: string } | undefined> {
    const entry = await this.findSecret(secretId);
    if (!entry) return undefined;
    const version = findVersion(entry.object, versionId, versionStage);
    if (!version)
      return {
        missing:
          versionId !== undefined ? `VersionId: ${versionId}` : `staging label: ${versionStage ?? current}`,
      };
    return { value: this.decrypt(version.value, secretContext(entry.object.name, version.versionId)) };
  }

  // --- internals -------------------------------------------------------------------

  private requireCipher(operation: string): SecretCipher {
    if (!this.cipher)
      throw new BatonApiError(
        'InvalidRequestException',
        `${operation}: the local secrets store needs an encryption key: pass secrets.encryptionKey to createBaton (baton agent: BATON_SECRETS_KEY or --secrets-key-file)`,
      );
    return this.cipher;
  }

  private decrypt(value: ParameterRecord['value'], context: string): string {
    try {
      return this.requireCipher('decrypt').decrypt(value, context);
    } catch (err) {
      if (err instanceof SecretIntegrityError) throw new BatonApiError('DecryptionFailure', err.message);
      throw err;
    }
  }

  private parameterValue(record: ParameterRecord): string {
    return this.decrypt(record.value, parameterContext(record.name, record.version));
  }

  private async parameterRecord(name: string): Promise<ParameterRecord> {
    const entry = await this.store.get('Parameter', name);
    if (!entry) throw new BatonApiError('ParameterNotFound', `Parameter ${name} not found.`);
    return entry.object;
  }

  private async secretEntry(secretId: string) {
    const entry = await this.findSecret(secretId);
    if (!entry)
      throw new BatonApiError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    return entry;
  }

  /** By name, by full ARN (with the random suffix) or partial ARN (without it). */
  private async findSecret(secretId: string) {
    let name = secretId;
    if (secretId.startsWith('arn:')) {
      const ref = parseSecretReference(secretId);
      if (!ref.ok || ref.reference.source !== 'secretsmanager') return undefined;
      name = ref.reference.secretId;
    }
    const direct = await this.store.get('Secret', name);
    if (direct) return direct;
    // A full ARN's name part carries Secrets Manager's six-character suffix.
    const m = /^(.+)-[A-Za-z0-9]{6}$/.exec(name);
    const bySuffix = m ? await this.store.get('Secret', m[1]!) : undefined;
    return bySuffix?.object.arn.endsWith(`:secret:${name}`) ? bySuffix : undefined;
  }

  private secretVersion(
    record: SecretRecord,
    versionId?: string,
    versionStage?: string,
  ): SecretVersionRecord {
    const version = findVersion(record, versionId, versionStage);
    if (!version)
      throw new BatonApiError(
        'ResourceNotFoundException',
        versionId !== undefined
          ? `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`
          : `Secrets Manager can't find the specified secret value for staging label: ${versionStage ?? current}`,
      );
    return version;
  }

  private parameterArn(name: string): string {
    const a = this.arn;
    return `arn:${a.partition}:ssm:${a.region}:${a.account}:parameter/${name.replace(/^\//, '')}`;
  }

  private secretArnPrefix(): string {
    const a = this.arn;
    return `arn:${a.partition}:secretsmanager:${a.region}:${a.account}:secret:`;
  }
}

/** Both given must name the same version (Secrets Manager's rule); neither means AWSCURRENT. */
function findVersion(
  record: SecretRecord,
  versionId?: string,
  versionStage?: string,
): SecretVersionRecord | undefined {
  const stage = versionStage ?? (versionId === undefined ? current : undefined);
  return record.versions.find(
    (v) =>
      (versionId === undefined || v.versionId === versionId) &&
      (stage === undefined || v.stages.includes(stage)),
  );
}

/** Additional authenticated data: a ciphertext decrypts only in the record and version it was written for. */
function parameterContext(name: string, version: number): string {
  return `Parameter/${name}/${version}`;
}

function secretContext(name: string, versionId: string): string {
  return `Secret/${name}/${versionId}`;
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

function parameterMetadata(p: ParameterRecord): ParameterMetadata {
  return {
    Name: p.name,
    ARN: p.arn,
    Type: p.type,
    Version: p.version,
    LastModifiedDate: new Date(p.lastModifiedDate),
    ...(p.description !== undefined ? { Description: p.description } : {}),
  };
}

function secretMetadata(s: SecretRecord): SecretMetadata {
  return {
    ARN: s.arn,
    Name: s.name,
    ...(s.description !== undefined ? { Description: s.description } : {}),
    CreatedDate: new Date(s.createdDate),
    LastChangedDate: new Date(s.lastChangedDate),
    VersionIdsToStages: Object.fromEntries(s.versions.map((v) => [v.versionId, [...v.stages]])),
  };
}
