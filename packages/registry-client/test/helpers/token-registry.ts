import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createPrivateKey, type KeyObject, randomBytes, sign, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { probe } from './env.js';

const REGISTRY_BIN = process.env.BATON_REGISTRY_BIN ?? '/usr/bin/docker-registry';
const ISSUER = 'baton-test-issuer';
const SERVICE = 'baton-test-registry';

export interface TokenUser {
  readonly password: string;
  /** Actions granted on every repository (e.g. ['pull'] for a read-only user), plus the catalog when `catalog`. */
  readonly actions: readonly string[];
  readonly catalog?: boolean;
}

export interface TokenRequestRecord {
  readonly account: string | undefined;
  readonly scopes: readonly string[];
  readonly grantType: string | undefined;
}

export interface TokenRegistry {
  readonly addr: string;
  readonly tokenUrl: string;
  /** Every token request the token server answered (for cache tests). */
  readonly requests: TokenRequestRecord[];
  /** Lifetime the token server puts in `expires_in` (seconds). */
  expiresIn: number;
  stop(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** An ES256 JWT in distribution's format, with the signing certificate in `x5c`. */
function jwt(key: KeyObject, certDer: Buffer, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: [certDer.toString('base64')] }));
  const body = b64url(JSON.stringify(claims));
  const sig = sign('sha256', Buffer.from(`${head}.${body}`), { key, dsaEncoding: 'ieee-p1363' });
  return `${head}.${body}.${b64url(sig)}`;
}

function basicUser(req: IncomingMessage): { user: string; password: string } | undefined {
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) return undefined;
  const text = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? undefined : { user: text.slice(0, i), password: text.slice(i + 1) };
}

/**
 * Starts a token server and a distribution registry whose token auth trusts it: an EC key and a
 * self-signed certificate are made with openssl in a temp dir, the registry gets the certificate as
 * its `rootcertbundle`, and the server signs JWTs with the key. Anonymous users may pull `public/*`.
 */
export async function startTokenRegistry(users: Readonly<Record<string, TokenUser>>): Promise<TokenRegistry> {
  if (!existsSync(REGISTRY_BIN))
    throw new Error(
      `${REGISTRY_BIN} not found: install Debian's docker-registry (bash scripts/provision.sh registry)`,
    );
  const dir = await mkdtemp(join(tmpdir(), 'baton-token-registry-'));
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=baton-token-test',
  ]);
  const key = createPrivateKey(await readFile(join(dir, 'key.pem')));
  const certDer = new X509Certificate(await readFile(join(dir, 'cert.pem'))).raw;

  const requests: TokenRequestRecord[] = [];
  const state = { expiresIn: 300 };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      const form = req.method === 'POST' ? new URLSearchParams(body) : undefined;
      const scopes = form
        ? (form.get('scope') ?? '').split(' ').filter(Boolean)
        : url.searchParams.getAll('scope');
      let account: string | undefined;
      let grant: TokenUser | undefined;
      if (form?.get('grant_type') === 'refresh_token') {
        // Refresh tokens are "refresh:<user>" in this test server.
        const rt = form.get('refresh_token') ?? '';
        account = rt.startsWith('refresh:') ? rt.slice(8) : undefined;
        grant = account === undefined ? undefined : users[account];
        if (!grant) {
          res.writeHead(401).end('{"error":"invalid_grant"}');
          return;
        }
      } else {
        const b = basicUser(req);
        if (b) {
          const u = users[b.user];
          if (!u || u.password !== b.password) {
            res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
            return;
          }
          account = b.user;
          grant = u;
        }
      }
      requests.push({ account, scopes, grantType: form?.get('grant_type') ?? undefined });
      const access = scopes.flatMap((scope) => {
        const [type, name, actions] = [
          scope.slice(0, scope.indexOf(':')),
          scope.slice(scope.indexOf(':') + 1, scope.lastIndexOf(':')),
          scope.slice(scope.lastIndexOf(':') + 1).split(','),
        ];
        if (type === 'registry') return grant?.catalog ? [{ type, name, actions: ['*'] }] : [];
        const allowed = grant ? grant.actions : name.startsWith('public/') ? ['pull'] : [];
        const granted = actions.filter((a) => allowed.includes(a) || allowed.includes('*'));
        return granted.length > 0 ? [{ type, name, actions: granted }] : [];
      });
      const now = Math.floor(Date.now() / 1000);
      const token = jwt(key, certDer, {
        iss: ISSUER,
        sub: account ?? '',
        aud: SERVICE,
        exp: now + state.expiresIn + 60,
        nbf: now - 10,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          token,
          access_token: token,
          expires_in: state.expiresIn,
          issued_at: new Date().toISOString(),
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;

  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  await writeFile(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: {level: error, accesslog: {disabled: true}}',
      `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}, maintenance: {uploadpurging: {enabled: false}}}`,
      `http: {addr: "${addr}", secret: ${randomBytes(8).toString('hex')}}`,
      `auth: {token: {realm: "${tokenUrl}", service: ${SERVICE}, issuer: ${ISSUER}, rootcertbundle: ${join(dir, 'cert.pem')}}}`,
      '',
    ].join('\n'),
  );
  let output = '';
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const p = await probe(addr);
    if (!('error' in p) && p.status === 401 && /^Bearer/i.test(p.challenge)) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`token-auth registry on ${addr} did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    addr,
    tokenUrl,
    requests,
    get expiresIn() {
      return state.expiresIn;
    },
    set expiresIn(v: number) {
      state.expiresIn = v;
    },
    stop,
  };
}
