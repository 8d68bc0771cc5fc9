import { describe, expect, it } from 'vitest';
import { parseSecretReference, parseTaskDefinition } from '../src/index.js';

const ref = (valueFrom: string) => {
  const r = parseSecretReference(valueFrom);
  if (!r.ok) throw new Error(r.message);
  return r.reference;
};

describe('parseSecretReference', () => {
  it('reads a bare name as an SSM parameter of the task region', () => {
    expect(ref('db-password')).toEqual({ source: 'ssm', name: 'db-password' });
    expect(ref('/app/prod/db-password')).toEqual({ source: 'ssm', name: '/app/prod/db-password' });
  });

  it('reads SSM parameter ARNs, restoring the leading slash of hierarchical names', () => {
    expect(ref('arn:aws:ssm:us-east-1:123456789012:parameter/token')).toEqual({
      source: 'ssm',
      name: 'token',
      region: 'us-east-1',
      account: '123456789012',
    });
    expect(ref('arn:aws:ssm:eu-west-1:123456789012:parameter/app/prod/db')).toMatchObject({
      name: '/app/prod/db',
      region: 'eu-west-1',
    });
  });

  it('reads Secrets Manager ARNs, full and partial', () => {
    expect(ref('arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-db-AbCdEf')).toEqual({
      source: 'secretsmanager',
      secretId: 'orders-db-AbCdEf',
      region: 'us-east-1',
      account: '123456789012',
    });
    expect(ref('arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-db')).toMatchObject({
      secretId: 'orders-db',
    });
  });

  it('reads the :json-key:version-stage:version-id suffix, each part optional', () => {
    const base = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf';
    expect(ref(`${base}:password::`)).toMatchObject({ jsonKey: 'password' });
    expect(ref(`${base}:password::`)).not.toHaveProperty('versionStage');
    expect(ref(`${base}::AWSPREVIOUS:`)).toMatchObject({ versionStage: 'AWSPREVIOUS' });
    expect(ref(`${base}::AWSPREVIOUS:`)).not.toHaveProperty('jsonKey');
    expect(ref(`${base}:::0b5ff0a1-8f38-4bb0-8d4e-2b5a8f3f4d55`)).toMatchObject({
      versionId: '0b5ff0a1-8f38-4bb0-8d4e-2b5a8f3f4d55',
    });
    expect(ref(`${base}:user:AWSCURRENT:v1`)).toMatchObject({
      jsonKey: 'user',
      versionStage: 'AWSCURRENT',
      versionId: 'v1',
    });
  });

  it('reads file:// references as absolute paths', () => {
    expect(ref('file:///run/secrets/db%20password')).toEqual({
      source: 'file',
      path: '/run/secrets/db password',
    });
  });

  it('refuses what ECS would not resolve, saying why', () => {
    const bad = (v: string) => {
      const r = parseSecretReference(v);
      return r.ok ? 'accepted' : r.message;
    };
    expect(bad('arn:aws:sqs:us-east-1:123456789012:queue')).toMatch(
      /SSM parameter or a Secrets Manager secret/,
    );
    expect(bad('arn:aws:s3:::bucket/key')).toMatch(/not a complete ARN/);
    expect(bad('arn:aws:ssm:us-east-1:123456789012:document/x')).toMatch(/must name a parameter/);
    expect(bad('arn:aws:secretsmanager:us-east-1:123456789012:secret:')).toMatch(/must name a secret/);
    expect(bad('arn:aws:secretsmanager:us-east-1:1:secret:a:b:c:d:e')).toMatch(/too many parts/);
    expect(bad('file://relative/path')).toMatch(/absolute path/);
    expect(bad('has spaces')).toMatch(/not a parameter name or ARN/);
  });
});

describe('container definitions with sensitive data', () => {
  const td = (container: Record<string, unknown>) =>
    parseTaskDefinition({
      family: 'f',
      containerDefinitions: [{ name: 'c', image: 'i', memory: 64, ...container }],
    });

  it('keeps secrets, environment files and repository credentials without warnings', () => {
    const r = td({
      secrets: [{ name: 'A', valueFrom: 'a' }],
      environmentFiles: [{ value: 'arn:aws:s3:::bucket/app.env', type: 's3' }],
      repositoryCredentials: { credentialsParameter: 'arn:aws:secretsmanager:r:1:secret:reg' },
    });
    expect(r._tag).toBe('Right');
    if (r._tag !== 'Right') return;
    expect(r.right.warnings).toEqual([]);
    expect(r.right.value.containerDefinitions[0]!.environmentFiles).toEqual([
      { value: 'arn:aws:s3:::bucket/app.env', type: 's3' },
    ]);
  });

  it('names the field of a malformed reference', () => {
    const r = td({ environmentFiles: [{ value: 'x', type: 'http' }] });
    expect(r._tag).toBe('Left');
    if (r._tag !== 'Left') return;
    expect(r.left.issues[0]!.path).toBe('containerDefinitions[0].environmentFiles[0].type');
  });
});
