import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { BatonApiError } from '../errors.js';
import { parseEncryptionKey } from './cipher.js';
import type { SecretProviderFunction } from './resolver.js';

/** `createBaton({ secrets })`: where container secrets come from. */
export interface SecretsOptions {
  /**
   * The key that encrypts the local parameter and secrets stores at rest
   * (AES-256-GCM): 32 bytes, or 64 hex digits, or base64 of 32 bytes. Keep it
   * outside Baton's store (an environment variable, a KMS-decrypted file).
   * Without it the local stores are off; files and `provider` still work.
   */
  readonly encryptionKey?: Uint8Array | string;
  /** Absolute directories `file://` secrets and environment files may be read from. Default: none. */
  readonly fileRoots?: readonly string[];
  /** Your own provider, asked first for every reference. */
  readonly provider?: SecretProviderFunction;
}

/** `createBaton({ metadata })`: the task metadata endpoint v4. */
export interface MetadataOptions {
  /** Serve it and give containers its URIs. Default true. */
  readonly enabled?: boolean;
  /**
   * Port on each engine's bridge gateway. Default 0 (any free port, chosen on start); set a fixed
   * port so containers adopted after a restart keep a working URI.
   */
  readonly port?: number;
  /**
   * Key for the per-container tokens (32 bytes, hex or base64). Default: derived from
   * `secrets.encryptionKey`, else random per process (tokens of adopted containers then change).
   */
  readonly tokenKey?: Uint8Array | string;
}

const key = (option: string) =>
  z.custom<Uint8Array | string>((v) => {
    if (typeof v !== 'string' && !(v instanceof Uint8Array)) return false;
    try {
      parseEncryptionKey(v, option);
      return true;
    } catch {
      return false;
    }
  }, 'must be 32 bytes (a Buffer, 64 hex digits, or base64 of 32 bytes), e.g. from randomBytes(32)');

const SecretsOptionsSchema = z.strictObject({
  encryptionKey: key('secrets.encryptionKey').optional(),
  fileRoots: z.array(z.string().refine(isAbsolute, 'must be an absolute path')).optional(),
  provider: z.custom<SecretProviderFunction>((v) => typeof v === 'function', 'must be a function').optional(),
});

const MetadataOptionsSchema = z.strictObject({
  enabled: z.boolean().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  tokenKey: key('metadata.tokenKey').optional(),
});

const Schema = z.object({
  secrets: SecretsOptionsSchema.optional(),
  metadata: MetadataOptionsSchema.optional(),
});

/** Validates the `secrets` and `metadata` options; the error names the option. Never echoes a key. */
export function validateSecretsOptions(options: {
  readonly secrets?: unknown;
  readonly metadata?: unknown;
}): void {
  const r = Schema.safeParse({ secrets: options.secrets, metadata: options.metadata });
  if (r.success) return;
  const issue = r.error.issues[0]!;
  const path = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
  throw new BatonApiError('InvalidParameterException', `createBaton: ${path}: ${issue.message}`);
}
