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

const Schema = z.object({
  secrets: SecretsOptionsSchema.optional(),
});

/** Validates the `secrets` options; the error names the option. Never echoes a key. */
export function validateSecretsOptions(options: { readonly secrets?: unknown }): void {
  const r = Schema.safeParse({ secrets: options.secrets });
  if (r.success) return;
  const issue = r.error.issues[0]!;
  const path = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
  throw new BatonApiError('InvalidParameterException', `createBaton: ${path}: ${issue.message}`);
}
