import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..', '..');

/**
 * The third-party packages a fresh Node process (Baton's sources through tsx) resolved while running
 * `code`, ES modules included: a resolve hook reports every URL on a message port, and a last
 * sentinel import tells the probe that every earlier report has arrived.
 */
function packagesResolvedBy(code: string): string[] {
  const hooks = `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  port.postMessage(r.url);
  return r;
}`;
  const probe = `
const { register } = await import('node:module');
const { MessageChannel } = await import('node:worker_threads');
const { port1, port2 } = new MessageChannel();
const urls = [];
port1.on('message', (u) => urls.push(u));
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}), {
  data: { port: port2 },
  transferList: [port2],
});
${code}
const sentinel = 'data:text/javascript,export default "sentinel-' + Date.now() + '"';
await import(sentinel);
while (!urls.includes(sentinel)) await new Promise((r) => setImmediate(r));
port1.close();
const names = new Set();
for (const u of urls) {
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(u.slice(u.lastIndexOf('node_modules/')));
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

const serveOneRequest = (headers: string, body: string) => `
const { createBaton } = await import('baton-ecs');
const baton = await createBaton({ cluster: 'lazy-xml' });
await baton.start();
const handler = baton.apiHandler({ credentials: [{ accessKeyId: 'AKID', secretAccessKey: 'secret' }] });
const { createServer } = await import('node:http');
const server = createServer(handler).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const res = await fetch('http://127.0.0.1:' + server.address().port + '/', {
  method: 'POST', headers: ${headers}, body: ${JSON.stringify(body)},
});
const text = await res.text();
if (res.status !== 403) throw new Error('expected a signature refusal, got ' + res.status + ' ' + text);
server.close();
await baton.stop();`;

// Each case starts a Node process that compiles Baton's sources with tsx: seconds, more on a busy machine.
describe('the XML library loads with the first ELBv2 request', { timeout: 90_000 }, () => {
  it('importing baton-ecs, running Baton and serving an ECS request resolve no fast-xml-parser', () => {
    const resolved = packagesResolvedBy(
      serveOneRequest(
        `{ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters', authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64), 'x-amz-date': '20260101T000000Z' }`,
        '{}',
      ),
    );
    expect(resolved).toContain('rxjs'); // the probe sees ES modules Baton does load
    expect(resolved).not.toContain('fast-xml-parser');
  });

  it('an ELBv2 (query protocol) request loads it, to answer in XML', () => {
    const resolved = packagesResolvedBy(
      serveOneRequest(
        `{ 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64), 'x-amz-date': '20260101T000000Z' }`,
        'Action=DescribeTargetGroups&Version=2015-12-01',
      ),
    );
    expect(resolved).toContain('fast-xml-parser');
  });
});
