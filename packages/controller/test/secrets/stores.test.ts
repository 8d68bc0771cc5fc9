import { randomBytes } from 'node:crypto';
import { batonKinds, createMemoryStore } from '@baton-ecs/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Baton, BatonApiError, createBaton, silentLogger } from '../../src/index.js';
import { SecretCipher, SecretIntegrityError } from '../../src/secrets/index.js';

async function apiError(p: Promise<unknown>): Promise<BatonApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof BatonApiError) return e;
    throw e;
  }
  throw new Error('expected a BatonApiError');
}

describe('SecretCipher (AES-256-GCM)', () => {
  const key = randomBytes(32);

  it('round-trips a value bound to its context', () => {
    const c = new SecretCipher(key);
    const e = c.encrypt('s3cr3t-value', 'Secret/db/v1');
    expect(e.data).not.toContain('s3cr3t');
    expect(Buffer.from(e.data, 'base64').toString('utf8')).not.toContain('s3cr3t');
    expect(c.decrypt(e, 'Secret/db/v1')).toBe('s3cr3t-value');
    // A fresh nonce per value: the same plaintext never encrypts the same way twice.
    expect(c.encrypt('s3cr3t-value', 'Secret/db/v1').data).not.toBe(e.data);
  });

  it('accepts a key as Buffer, hex or base64, and refuses other lengths without echoing them', () => {
    const a = new SecretCipher(key);
    expect(new SecretCipher(key.toString('hex')).keyId).toBe(a.keyId);
    expect(new SecretCipher(key.toString('base64')).keyId).toBe(a.keyId);
    expect(() => new SecretCipher('short-key')).toThrow(/secrets\.encryptionKey: must be 32 bytes/);
    try {
      new SecretCipher('short-key');
    } catch (e) {
      expect(String(e)).not.toContain('short-key');
    }
  });

  it('detects tampering: altered ciphertext, tag or nonce, a moved value, another key', () => {
    const c = new SecretCipher(key);
    const e = c.encrypt('value', 'Parameter/a/1');
    const flip = (b64: string) => {
      const b = Buffer.from(b64, 'base64');
      b[0] = b[0]! ^ 1;
      return b.toString('base64');
    };
    expect(() => c.decrypt({ ...e, data: flip(e.data) }, 'Parameter/a/1')).toThrow(SecretIntegrityError);
    expect(() => c.decrypt({ ...e, tag: flip(e.tag) }, 'Parameter/a/1')).toThrow(SecretIntegrityError);
    expect(() => c.decrypt({ ...e, iv: flip(e.iv) }, 'Parameter/a/1')).toThrow(/integrity check/);
    expect(() => c.decrypt(e, 'Parameter/b/1')).toThrow(/integrity check/);
    expect(() => new SecretCipher(randomBytes(32)).decrypt(e, 'Parameter/a/1')).toThrow(/another key/);
  });
});

describe('baton.secrets: the local parameter and secrets stores', () => {
  let baton: Baton;
  const encryptionKey = randomBytes(32);

  beforeEach(async () => {
    baton = await createBaton({ cluster: 'secrets-unit', logger: silentLogger, secrets: { encryptionKey } });
  });
  afterEach(async () => baton.stop());

  it('keeps parameters encrypted and returns values only from getParameter', async () => {
    expect(
      await baton.secrets.putParameter({ Name: '/app/db', Value: 'pa55word', Type: 'SecureString' }),
    ).toEqual({ Version: 1, Tier: 'Standard' });
    const stored = await baton.store.get('Parameter', '/app/db');
    expect(JSON.stringify(stored)).not.toContain('pa55word');
    const { Parameters } = await baton.secrets.describeParameters();
    expect(Parameters).toEqual([
      expect.objectContaining({
        Name: '/app/db',
        ARN: 'arn:aws:ssm:local:000000000000:parameter/app/db',
        Type: 'SecureString',
        Version: 1,
      }),
    ]);
    expect(JSON.stringify(Parameters)).not.toContain('pa55word');
    expect((await baton.secrets.getParameter({ Name: '/app/db' })).Parameter.Value).toBe('pa55word');

    expect((await apiError(baton.secrets.putParameter({ Name: '/app/db', Value: 'x' }))).code).toBe(
      'ParameterAlreadyExists',
    );
    expect(
      (await baton.secrets.putParameter({ Name: '/app/db', Value: 'n3w', Overwrite: true })).Version,
    ).toBe(2);
    expect((await baton.secrets.getParameter({ Name: '/app/db' })).Parameter.Value).toBe('n3w');
    await baton.secrets.deleteParameter({ Name: '/app/db' });
    expect((await apiError(baton.secrets.getParameter({ Name: '/app/db' }))).code).toBe('ParameterNotFound');
  });

  it('names the field of an invalid request', async () => {
    const e = await apiError(baton.secrets.putParameter({ Name: 'a/b', Value: 'v' }));
    expect(e.code).toBe('InvalidParameterException');
    expect(e.message).toMatch(/PutParameter: Name: a hierarchical name must start with "\/"/);
  });

  it('gives secrets Secrets Manager ARNs and moves AWSCURRENT/AWSPREVIOUS on each new value', async () => {
    const created = await baton.secrets.createSecret({ Name: 'db', SecretString: '{"password":"one"}' });
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:local:000000000000:secret:db-[A-Za-z0-9]{6}$/);
    const second = await baton.secrets.putSecretValue({
      SecretId: created.ARN,
      SecretString: '{"password":"two"}',
    });
    const described = await baton.secrets.describeSecret({ SecretId: 'db' });
    expect(described.VersionIdsToStages).toEqual({
      [second.VersionId]: ['AWSCURRENT'],
      [created.VersionId]: ['AWSPREVIOUS'],
    });
    expect(JSON.stringify(described)).not.toMatch(/one|two/);
    expect(JSON.stringify(await baton.secrets.listSecrets())).not.toMatch(/"one"|"two"|password/);
    const partialArn = created.ARN.replace(/-[A-Za-z0-9]{6}$/, '');
    expect((await baton.secrets.getSecretValue({ SecretId: partialArn })).SecretString).toBe(
      '{"password":"two"}',
    );
    expect(
      (await baton.secrets.getSecretValue({ SecretId: 'db', VersionStage: 'AWSPREVIOUS' })).SecretString,
    ).toBe('{"password":"one"}');
    expect(
      (await baton.secrets.getSecretValue({ SecretId: 'db', VersionId: created.VersionId })).SecretString,
    ).toBe('{"password":"one"}');
    expect(
      (await apiError(baton.secrets.getSecretValue({ SecretId: 'db', VersionStage: 'NOPE' }))).message,
    ).toMatch(/can't find the specified secret value for staging label: NOPE/);
    expect((await apiError(baton.secrets.createSecret({ Name: 'db', SecretString: 'x' }))).code).toBe(
      'ResourceExistsException',
    );
    await baton.secrets.deleteSecret({ SecretId: created.ARN });
    expect((await apiError(baton.secrets.getSecretValue({ SecretId: 'db' }))).code).toBe(
      'ResourceNotFoundException',
    );
  });

  it('reports a tampered stored value as a DecryptionFailure, not as the value', async () => {
    await baton.secrets.putParameter({ Name: 'token', Value: 'abc' });
    const entry = (await baton.store.get('Parameter', 'token'))!;
    const data = Buffer.from(entry.object.value.data, 'base64');
    data[0] = data[0]! ^ 0xff;
    await baton.store.update('Parameter', 'token', {
      ...entry.object,
      value: { ...entry.object.value, data: data.toString('base64') },
    });
    const e = await apiError(baton.secrets.getParameter({ Name: 'token' }));
    expect(e.code).toBe('DecryptionFailure');
    expect(e.message).toMatch(/integrity check/);
  });
});

describe('createBaton secrets options', () => {
  it('refuses a bad key or path, naming the option', async () => {
    await expect(createBaton({ logger: silentLogger, secrets: { encryptionKey: 'nope' } })).rejects.toThrow(
      /createBaton: secrets\.encryptionKey: must be 32 bytes/,
    );
    await expect(createBaton({ logger: silentLogger, secrets: { fileRoots: ['relative'] } })).rejects.toThrow(
      /createBaton: secrets\.fileRoots\[0\]: must be an absolute path/,
    );
  });

  it('without a key, the local stores say which option turns them on', async () => {
    const store = await createMemoryStore({ kinds: batonKinds });
    const baton = await createBaton({ store, logger: silentLogger });
    const e = await apiError(baton.secrets.putParameter({ Name: 'a', Value: 'b' }));
    expect(e.message).toMatch(/pass secrets\.encryptionKey to createBaton/);
    await store.close();
  });
});
