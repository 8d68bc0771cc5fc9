import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

/**
 * The third-party CommonJS packages a fresh Node process has loaded after running `code` (an ES module,
 * importing Baton's sources through tsx): CommonJS modules land in require's cache, ES modules do not.
 */
function packagesLoadedBy(code: string): string[] {
  const probe = `${code}
const { createRequire } = await import('node:module');
const names = new Set();
for (const file of Object.keys(createRequire(import.meta.url).cache)) {
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file.slice(file.lastIndexOf('node_modules/')));
  if (m) names.add(m[1]);
}
console.log(JSON.stringify([...names].sort()));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '[]') as string[];
}

const heavy = [
  '@smithy/signature-v4',
  '@aws-crypto/sha256-js',
  'dockerode',
  'docker-modem',
  'ssh2',
  'etcd3',
  '@grpc/grpc-js',
];

// Each case starts a Node process that compiles Baton's sources with tsx: seconds, more on a busy machine.
describe('what importing Baton loads', { timeout: 90_000 }, () => {
  it('importing baton-ecs and running a Baton with no engines loads neither the signer, Docker nor etcd', async () => {
    const loaded = packagesLoadedBy(`
const { createBaton } = await import('baton-ecs');
const baton = await createBaton({ cluster: 'import-cost' });
await baton.start();
await baton.registerTaskDefinition({ family: 'web', containerDefinitions: [{ name: 'web', image: 'web:1', memory: 64 }] });
await baton.stop();`);
    expect(loaded).toContain('rxjs'); // the probe sees CommonJS packages Baton does load
    expect(loaded.filter((name) => heavy.includes(name))).toEqual([]);
  });

  it('the signer loads with the first request the API endpoint verifies', async () => {
    const loaded = packagesLoadedBy(`
const { createBaton } = await import('baton-ecs');
const baton = await createBaton({ cluster: 'import-cost' });
const handler = baton.apiHandler({ credentials: [{ accessKeyId: 'AKID', secretAccessKey: 'secret' }] });
const { createServer } = await import('node:http');
const server = createServer(handler).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\\.\\d+/, '');
const res = await fetch('http://127.0.0.1:' + server.address().port + '/', {
  method: 'POST',
  headers: {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
    'x-amz-date': now,
    authorization: 'AWS4-HMAC-SHA256 Credential=AKID/' + now.slice(0, 8) + '/us-east-1/ecs/aws4_request, SignedHeaders=host;x-amz-date, Signature=' + '0'.repeat(64),
  },
  body: '{}',
});
if (res.status !== 400 && res.status !== 403) throw new Error('unexpected status ' + res.status);
server.close();`);
    expect(loaded).toContain('@smithy/signature-v4');
    expect(loaded).not.toContain('dockerode');
  });
});
