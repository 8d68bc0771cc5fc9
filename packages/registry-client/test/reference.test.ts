import fc from 'fast-check';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  familiarReference,
  formatReference,
  parseDigest,
  parseReference,
  parseRepositoryName,
  type Reference,
} from '../src/index.js';

const D = `sha256:${'a'.repeat(64)}`;
const ok = (s: string): Reference => {
  const r = parseReference(s);
  if (isLeft(r)) throw r.left;
  return r.right;
};
const err = (s: string): string => {
  const r = parseReference(s);
  if (isRight(r)) throw new Error(`${s} parsed`);
  return r.left.message;
};

describe('parseReference normalises like docker', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['library/nginx', 'docker.io/library/nginx:latest'],
    ['user/app', 'docker.io/user/app:latest'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['index.docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['index.docker.io/user/app:2', 'docker.io/user/app:2'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app:v1', 'localhost:5000/app:v1'],
    ['127.0.0.1:5000/team/app', '127.0.0.1:5000/team/app:latest'],
    ['quay.io/org/app:v1', 'quay.io/org/app:v1'],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:prod',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:prod',
    ],
    ['[::1]:5000/app', '[::1]:5000/app:latest'],
    ['Registry/app', 'Registry/app:latest'], // a capitalised first component is a registry
    [`nginx@${D}`, `docker.io/library/nginx@${D}`],
    [`nginx:1.25@${D}`, `docker.io/library/nginx:1.25@${D}`],
    ['a/b/c/d:e_f.g-h', 'docker.io/a/b/c/d:e_f.g-h'],
    ['my-app__x.y', 'docker.io/library/my-app__x.y:latest'],
  ])('%s → %s', (input, expected) => {
    expect(formatReference(ok(input))).toBe(expected);
  });

  it('digest wins over tag; the tag is kept for display', () => {
    const r = ok(`nginx:1.25@${D}`);
    expect(r.digest).toBe(D);
    expect(r.tag).toBe('1.25');
    expect(ok(`nginx@${D}`).tag).toBeUndefined();
  });

  it('prints the familiar form', () => {
    expect(familiarReference(ok('nginx'))).toBe('nginx:latest');
    expect(familiarReference(ok('user/app:1'))).toBe('user/app:1');
    expect(familiarReference(ok('localhost:5000/app'))).toBe('localhost:5000/app:latest');
  });

  it.each([
    ['', 'empty'],
    ['Nginx', 'must be lowercase (did you mean "nginx"?)'],
    ['user/App', 'must be lowercase'],
    ['nginx:', 'invalid tag ""'],
    ['nginx:-bad', 'invalid tag "-bad"'],
    [`nginx:${'x'.repeat(129)}`, 'invalid tag'],
    ['nginx@sha256:abc', 'need 64 lowercase hex digits'],
    [`nginx@sha256:${'A'.repeat(64)}`, 'need 64 lowercase hex digits'],
    [`nginx@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm "md5"'],
    ['nginx@latest', 'invalid digest'],
    ['a//b', 'invalid repository name component ""'],
    ['a/-b', 'invalid repository name component "-b"'],
    ['app/x_-y', 'invalid repository name component "x_-y"'],
    ['local-.host:5000/app', 'invalid registry'],
    [`r.io/${'a'.repeat(260)}`, 'longer than 255'],
  ])('rejects %j (%s)', (input, message) => {
    expect(err(input)).toContain(message);
  });

  it('folds capitals on request', () => {
    const r = parseReference('MyOrg/App:V1', { lowercase: true });
    expect(isRight(r) && formatReference(r.right)).toBe('docker.io/myorg/app:V1');
  });

  it('parses repository names and refuses references', () => {
    const r = parseRepositoryName('127.0.0.1:5000/team/app');
    expect(isRight(r) && r.right).toEqual({ registry: '127.0.0.1:5000', repository: 'team/app' });
    expect(isLeft(parseRepositoryName('nginx:1'))).toBe(true);
    expect(isLeft(parseRepositoryName(`nginx@${D}`))).toBe(true);
    const hub = parseRepositoryName('nginx');
    expect(isRight(hub) && hub.right.repository).toBe('library/nginx');
  });

  it('validates digests', () => {
    expect(isRight(parseDigest(`sha512:${'0'.repeat(128)}`))).toBe(true);
    expect(isLeft(parseDigest(`sha512:${'0'.repeat(64)}`))).toBe(true);
  });
});

describe('properties', () => {
  const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8})?$/);
  const registry = fc.constantFrom(
    '',
    'localhost/',
    'localhost:5000/',
    'registry.example.com/',
    '10.0.0.1:443/',
  );
  const tag = fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), { nil: undefined });
  const digest = fc.option(
    fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`),
    { nil: undefined },
  );
  const input = fc
    .tuple(registry, fc.array(component, { minLength: 1, maxLength: 4 }), tag, digest)
    .map(
      ([r, cs, t, d]) =>
        `${r}${cs.join('/')}${t === undefined ? '' : `:${t}`}${d === undefined ? '' : `@${d}`}`,
    );

  it('normalising is idempotent: parse(format(parse(x))) = parse(x)', () => {
    fc.assert(
      fc.property(input, (s) => {
        const once = ok(s);
        expect(ok(formatReference(once))).toEqual(once);
        expect(ok(familiarReference(once))).toEqual(once);
      }),
    );
  });

  it('never throws on arbitrary input: a Reference or an INVALID_REFERENCE-like error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const r = parseReference(s);
        if (isLeft(r)) expect(['INVALID_REFERENCE', 'UNSUPPORTED_MEDIA']).toContain(r.left.code);
      }),
    );
  });
});
