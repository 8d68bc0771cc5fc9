import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { EncryptedValue } from '@baton-ecs/model';

/** AES-256-GCM: 32-byte keys, 12-byte nonces, 16-byte tags. */
const keyBytes = 32;
const ivBytes = 12;

/** A value could not be decrypted: the wrong key, or ciphertext that was altered. */
export class SecretIntegrityError extends Error {
  override readonly name = 'SecretIntegrityError';
}

/**
 * Reads an encryption key: 32 bytes, or a string of 64 hex digits or base64
 * of 32 bytes. The message names the option and never echoes the key.
 */
export function parseEncryptionKey(key: Uint8Array | string, option = 'secrets.encryptionKey'): Buffer {
  let bytes: Buffer | undefined;
  if (typeof key !== 'string') bytes = Buffer.from(key);
  else if (/^[0-9a-fA-F]{64}$/.test(key)) bytes = Buffer.from(key, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(key)) bytes = Buffer.from(key, 'base64');
  if (!bytes || bytes.length !== keyBytes)
    throw new Error(
      `${option}: must be 32 bytes (a Buffer, 64 hex digits, or base64 of 32 bytes), e.g. from randomBytes(32)`,
    );
  return bytes;
}

/**
 * Encrypts the local stores' values at rest. Each value is bound to where it
 * is kept (`context`, e.g. `Secret/db/<versionId>`) as additional
 * authenticated data, so a ciphertext moved to another record fails to decrypt
 * just as an altered one does.
 */
export class SecretCipher {
  /** Names the key in stored values (an HMAC of it, not the key), so a changed key gets a clear error. */
  readonly keyId: string;
  private readonly key: Buffer;

  constructor(key: Uint8Array | string) {
    this.key = parseEncryptionKey(key);
    this.keyId = createHmac('sha256', this.key).update('baton key id').digest('hex').slice(0, 16);
  }

  encrypt(plaintext: string, context: string): EncryptedValue {
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      keyId: this.keyId,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  decrypt(value: EncryptedValue, context: string): string {
    if (value.keyId !== this.keyId)
      throw new SecretIntegrityError(
        `${context} was encrypted with another key (key id ${value.keyId}, this key is ${this.keyId}); was secrets.encryptionKey changed?`,
      );
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(value.iv, 'base64'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(value.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(value.data, 'base64')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretIntegrityError(
        `${context} failed its integrity check: the stored ciphertext was altered`,
      );
    }
  }

  /** A key for another purpose (metadata tokens), derived so the one key the service provides is enough. */
  derive(purpose: string): Buffer {
    return createHmac('sha256', this.key).update(`baton:${purpose}`).digest();
  }
}
