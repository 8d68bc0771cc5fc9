import { randomBytes } from 'node:crypto';
import { request } from 'node:http';

/** The htpasswd registry started by scripts/registry-instance.sh (scripts/services/registry.sh). */
export const BASIC_REGISTRY = process.env.BATON_REGISTRY_ADDR ?? '127.0.0.1:5000';
export const BASIC_USER = process.env.BATON_REGISTRY_USER ?? 'baton';
export const BASIC_PASSWORD = process.env.BATON_REGISTRY_PASSWORD ?? 'baton-registry-test';

/** A suffix that keeps this run's repositories apart from other runs and test files. */
export const runId = (): string => randomBytes(4).toString('hex');

/** GET /v2/ and report status + WWW-Authenticate, or the connection error. */
export function probe(addr: string): Promise<{ status: number; challenge: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(`http://${addr}/v2/`, { timeout: 3000 }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, challenge: String(res.headers['www-authenticate'] ?? '') });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e.message }));
    req.end();
  });
}

/** Fails (never skips) with how to start the registry when it is not there. */
export async function requireBasicRegistry(): Promise<void> {
  const p = await probe(BASIC_REGISTRY);
  if ('error' in p || p.status !== 401 || !/^Basic/i.test(p.challenge))
    throw new Error(
      `the htpasswd test registry is not answering on ${BASIC_REGISTRY} (${'error' in p ? p.error : `status ${p.status}`}); ` +
        'start it with `bash scripts/provision.sh registry` (or `bash scripts/registry-instance.sh start`)',
    );
}
