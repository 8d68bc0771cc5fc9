// npm run bench -- registry
// Resolves 200 tags to digests with basic auth against the local distribution registry
// (scripts/registry-instance.sh, 127.0.0.1:5000), with @baton-ecs/registry-client and with Debian's
// `skopeo inspect --raw` (one process per tag, as a deploy script would run it), in the same run.
// Reports ops/s for both, one at a time and 16 in flight (plus the client with a new client per tag,
// paying connection, ping and auth each time as each skopeo process does), and checks both agree.
// Last line: one JSON object. Knobs: BENCH_TAGS (200), BENCH_CONCURRENCY (16).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  basicCredentials,
  createRegistryClient,
  sha256,
  staticCredentials,
} from '@baton-ecs/registry-client';

const TAGS = Number(process.env.BENCH_TAGS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const REGISTRY = process.env.BATON_REGISTRY_ADDR ?? '127.0.0.1:5000';
const USER = process.env.BATON_REGISTRY_USER ?? 'baton';
const PASSWORD = process.env.BATON_REGISTRY_PASSWORD ?? 'baton-registry-test';
const REPO = `${REGISTRY}/bench/resolve`;
const log = (msg: string) => process.stdout.write(`${msg}\n`);

const started = spawnSync(
  'bash',
  [join(import.meta.dirname, '..', 'scripts', 'registry-instance.sh'), 'start'],
  {
    stdio: 'inherit',
  },
);
if (started.status !== 0)
  throw new Error('could not start the local registry (bash scripts/provision.sh registry)');

const credentials = staticCredentials({ [REGISTRY]: basicCredentials(USER, PASSWORD) });
const tags = Array.from({ length: TAGS }, (_, i) => `t${i}`);

// Setup: one small image, pushed once, then its manifest under every tag.
{
  const c = createRegistryClient({ credentials });
  const layer = Buffer.from('baton registry bench layer');
  const image = {
    config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } },
    layers: [{ data: layer }],
  };
  const d = await c.promises.pushImage(`${REPO}:base`, image);
  const m = await c.promises.getManifest(`${REPO}@${d.digest}`);
  for (let i = 0; i < tags.length; i += 20)
    await Promise.all(
      tags
        .slice(i, i + 20)
        .map((t) => c.promises.putManifest(`${REPO}:${t}`, m.bytes, { mediaType: m.mediaType })),
    );
  c.close();
  log(`setup: ${TAGS} tags on ${REPO} → ${d.digest}`);
}

async function pool<T>(items: readonly T[], limit: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await f(items[next++] as T);
    }),
  );
}

/** A fresh client per run, so its first request pays the ping and the auth like skopeo's do. */
async function clientRun(
  concurrency: number,
): Promise<{ opsPerSecond: number; digests: Map<string, string> }> {
  const c = createRegistryClient({ credentials });
  const digests = new Map<string, string>();
  const t0 = performance.now();
  await pool(tags, concurrency, async (t) => {
    digests.set(t, (await c.promises.resolve(`${REPO}:${t}`)).digest);
  });
  const s = (performance.now() - t0) / 1000;
  c.close();
  return { opsPerSecond: TAGS / s, digests };
}

/** A new client per tag: every resolve pays a new connection, the ping and auth, as each skopeo process does. */
async function coldClientRun(): Promise<number> {
  const t0 = performance.now();
  for (const t of tags) {
    const c = createRegistryClient({ credentials });
    await c.promises.resolve(`${REPO}:${t}`);
    c.close();
  }
  return TAGS / ((performance.now() - t0) / 1000);
}

function skopeo(tag: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      'skopeo',
      ['inspect', '--raw', '--tls-verify=false', '--creds', `${USER}:${PASSWORD}`, `docker://${REPO}:${tag}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const hash = createHash('sha256');
    let err = '';
    p.stdout.on('data', (d: Buffer) => hash.update(d));
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) =>
      code === 0
        ? resolve(`sha256:${hash.digest('hex')}`)
        : reject(new Error(`skopeo failed (${code}): ${err.trim()}`)),
    );
  });
}

async function skopeoRun(
  concurrency: number,
): Promise<{ opsPerSecond: number; digests: Map<string, string> }> {
  const digests = new Map<string, string>();
  const t0 = performance.now();
  await pool(tags, concurrency, async (t) => {
    digests.set(t, await skopeo(t));
  });
  return { opsPerSecond: TAGS / ((performance.now() - t0) / 1000), digests };
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
log(`load average before: ${load()}`);
await clientRun(CONCURRENCY); // warm the registry's caches and the JIT
const seq = await clientRun(1);
log(`client, one at a time: ${seq.opsPerSecond.toFixed(1)} resolves/s`);
const par = await clientRun(CONCURRENCY);
log(`client, ${CONCURRENCY} in flight: ${par.opsPerSecond.toFixed(1)} resolves/s`);
const cold = await coldClientRun();
log(`client, a new client per tag (connection + ping + auth each time): ${cold.toFixed(1)} resolves/s`);
const sk = await skopeoRun(1);
log(`skopeo inspect --raw, one at a time: ${sk.opsPerSecond.toFixed(1)} resolves/s`);
const skPar = await skopeoRun(CONCURRENCY);
log(`skopeo inspect --raw, ${CONCURRENCY} in flight: ${skPar.opsPerSecond.toFixed(1)} resolves/s`);
for (const t of tags) {
  if (seq.digests.get(t) !== sk.digests.get(t))
    throw new Error(`digest disagreement on ${t}: client ${seq.digests.get(t)}, skopeo ${sk.digests.get(t)}`);
}
log(`all ${TAGS} digests agree; load average after: ${load()}`);
const r = (x: number) => Math.round(x * 10) / 10;
log(
  JSON.stringify({
    bench: 'registry',
    tags: TAGS,
    auth: 'basic (htpasswd)',
    opsPerSecond: r(seq.opsPerSecond),
    skopeoOpsPerSecond: r(sk.opsPerSecond),
    ratio: r(seq.opsPerSecond / sk.opsPerSecond),
    coldOpsPerSecond: r(cold),
    coldRatio: r(cold / sk.opsPerSecond),
    concurrency: CONCURRENCY,
    concurrentOpsPerSecond: r(par.opsPerSecond),
    skopeoConcurrentOpsPerSecond: r(skPar.opsPerSecond),
    concurrentRatio: r(par.opsPerSecond / skPar.opsPerSecond),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    nproc: cpus().length,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  }),
);
