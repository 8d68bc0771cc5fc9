import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * OpenSSH's known_hosts, read the way `ssh` reads it for a host: plain names (`host`, `[host]:port`
 * for a port other than 22, comma-separated lists) and hashed names (`|1|salt|hash`, HMAC-SHA1 of
 * the name). `@revoked` lines deny a key; `@cert-authority` lines and wildcard patterns are not
 * supported (they never match, so such a host is refused rather than trusted by mistake).
 */
export interface KnownHostsVerdict {
  readonly trusted: boolean;
  /** Why not, when not trusted. */
  readonly reason?: 'revoked' | 'unknown-host' | 'key-mismatch';
}

export function checkKnownHost(text: string, host: string, port: number, key: Buffer): KnownHostsVerdict {
  const name = port === 22 ? host : `[${host}]:${port}`;
  let hostListed = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]!.startsWith('@') ? fields.shift() : undefined;
    const [patterns, , keyBase64] = fields;
    if (!patterns || !keyBase64) continue;
    if (marker !== undefined && marker !== '@revoked') continue;
    if (!patterns.split(',').some((p) => matches(p, name))) continue;
    const listed = Buffer.from(keyBase64, 'base64');
    const same = listed.length === key.length && timingSafeEqual(listed, key);
    if (marker === '@revoked') {
      if (same) return { trusted: false, reason: 'revoked' };
      continue;
    }
    hostListed = true;
    if (same) return { trusted: true };
  }
  return { trusted: false, reason: hostListed ? 'key-mismatch' : 'unknown-host' };
}

function matches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    const expected = Buffer.from(hash, 'base64');
    return expected.length === digest.length && timingSafeEqual(expected, digest);
  }
  return pattern === name;
}
