import { describe, expect, it } from 'vitest';
import { chooseChallenge, parseChallenges, parseNextLink } from '../src/index.js';

describe('WWW-Authenticate', () => {
  it('parses a Docker Hub Bearer challenge', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/nginx:pull',
        },
      },
    ]);
  });

  it('parses several challenges in one header, with spaces, tokens and escapes', () => {
    const c = parseChallenges(
      'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple" ,Bearer realm="https://a/t", error="insufficient_scope"',
    );
    expect(c.map((x) => x.scheme)).toEqual(['newauth', 'basic', 'bearer']);
    expect(c[0]?.params).toEqual({ realm: 'apps', type: '1', title: 'Login to "apps"' });
    expect(c[2]?.params.error).toBe('insufficient_scope');
    expect(chooseChallenge(c)?.scheme).toBe('bearer');
  });

  it('accepts several header values and schemes without parameters', () => {
    const c = parseChallenges(['Negotiate', 'Basic realm="r"']);
    expect(c.map((x) => x.scheme)).toEqual(['negotiate', 'basic']);
    expect(chooseChallenge(c)?.params.realm).toBe('r');
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('   ,, ')).toEqual([]);
  });
});

describe('Link', () => {
  it('finds rel="next" among links', () => {
    expect(parseNextLink('</v2/x/tags/list?n=2&last=b>; rel="next"')).toBe('/v2/x/tags/list?n=2&last=b');
    expect(parseNextLink('<https://a/prev>; rel="prev", <https://a/next?x=1,2>; rel="next"')).toBe(
      'https://a/next?x=1,2',
    );
    expect(parseNextLink('<https://a/p>; rel=prev')).toBeUndefined();
    expect(parseNextLink(undefined)).toBeUndefined();
  });
});
