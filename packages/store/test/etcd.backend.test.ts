import { randomUUID } from 'node:crypto';
import { Cluster } from '@baton-ecs/model';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batonKinds,
  CompactedError,
  ConflictError,
  CorruptDataError,
  createEtcdStore,
  type EtcdStore,
  EtcdUnavailableError,
  type WatchEvent,
} from '../src/index.js';
import { testKinds } from './conformance/kinds.js';
import { Recorder } from './conformance/recorder.js';
import { deletePrefix, EtcdProcess, requireSharedEtcd } from './etcd/etcd-process.js';

// Beyond the conformance suite: what only a networked backend has — several clients, pagination,
// etcd's own compaction, restarts, unreachable members, foreign data.
let member: EtcdProcess;
const open: EtcdStore<typeof testKinds>[] = [];
const store = async (endpoints = member.endpoint, prefix = `/t/${randomUUID()}`) => {
  const s = await createEtcdStore({ kinds: testKinds, endpoints, prefix });
  open.push(s);
  return s;
};
const counter = (name: string, value: number) => ({ name, value });

beforeAll(async () => {
  member = await EtcdProcess.start();
}, 30_000);

afterAll(async () => {
  for (const s of open) await s.close();
  await member?.destroy();
}, 30_000);

describe('etcd backend', { timeout: 30_000 }, () => {
  it('works on the shared etcd that scripts/provision.sh starts (Baton kinds)', async () => {
    const endpoints = await requireSharedEtcd();
    const prefix = `/baton-test/backend-${randomUUID()}`;
    const s = await createEtcdStore({ kinds: batonKinds, endpoints, prefix });
    try {
      const c = Cluster.parse({ clusterName: 'x', clusterArn: 'arn:aws:ecs:local:0:cluster/x' });
      const r = new Recorder(s.watch({ kind: 'Cluster' }));
      await r.synced();
      const e = await s.create('Cluster', c);
      await r.count(1);
      expect(r.objects()[0]).toMatchObject({ type: 'ADDED', key: 'x', version: e.version });
      expect((await s.list('Cluster')).items.map((i) => i.key)).toEqual(['x']);
      r.stop();
    } finally {
      await s.destroy();
    }
  });

  it('two clients on one prefix: compare-and-set decides between them, each sees the other’s writes', async () => {
    const a = await store();
    const b = await store(member.endpoint, a.prefix);
    const r = new Recorder(b.watch({ kind: 'Counter' }));
    await r.synced();
    const e = await a.create('Counter', counter('c', 0));
    const results = await Promise.allSettled([
      a.update('Counter', 'c', counter('c', 1), { ifVersion: e.version }),
      b.update('Counter', 'c', counter('c', 2), { ifVersion: e.version }),
    ]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      ConflictError,
    );
    await r.count(2);
    expect(r.summary().slice(1)).toEqual([`ADDED c@${e.version}`, `MODIFIED c@${e.version + 1}`]);
    r.stop();
  });

  it('lists and snapshots thousands of objects page by page, in key order', async () => {
    const s = await store();
    const names = Array.from(
      { length: 2_500 },
      (_, i) => `c-${((i * 7919) % 2_500).toString().padStart(4, '0')}`,
    );
    for (let i = 0; i < names.length; i += 500) {
      await s.commit(
        names.slice(i, i + 500).map((n) => ({ op: 'create', kind: 'Counter', object: counter(n, 1) })),
      );
    }
    const { items, version } = await s.list('Counter');
    expect(items.map((e) => e.key)).toEqual([...names].sort());
    expect(version).toBe(5);
    const r = new Recorder(s.watch({ kind: 'Counter' }));
    await r.synced();
    expect(r.objects()).toHaveLength(2_500);
    r.stop();
  });

  it('surfaces etcd’s own compaction as CompactedError ("compacted, re-list")', async () => {
    const s = await store();
    for (let i = 0; i < 5; i++) await s.create('Counter', counter(`c${i}`, i));
    const client = new Etcd3({ hosts: member.endpoint });
    const { header } = await client.kv.range({ key: Buffer.from('/'), count_only: true });
    await client.kv.compact({ revision: header.revision, physical: true });
    client.close();
    const r = new Recorder(s.watch({ kind: 'Counter' }, { fromVersion: 1 }));
    await r.end();
    expect(r.error).toBeInstanceOf(CompactedError);
    expect((r.error as Error).message).toContain('re-list');
    // A fresh list-then-watch works.
    const fresh = new Recorder(s.watch({ kind: 'Counter' }));
    await fresh.synced();
    expect(fresh.objects()).toHaveLength(5);
    fresh.stop();
  });

  it('fails with an actionable error when etcd is unreachable', async () => {
    const started = Date.now();
    const err = await createEtcdStore({
      kinds: testKinds,
      endpoints: 'http://127.0.0.1:1',
      prefix: '/nowhere',
      requestTimeoutMs: 1_000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EtcdUnavailableError);
    expect((err as Error).message).toContain('http://127.0.0.1:1');
    expect((err as Error).message).toContain('check that etcd is running');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a prefix that holds keys of something else', async () => {
    const prefix = `/t/${randomUUID()}`;
    const client = new Etcd3({ hosts: member.endpoint });
    await client.put(`${prefix}/foreign`).value('x');
    client.close();
    const err = await createEtcdStore({ kinds: testKinds, endpoints: member.endpoint, prefix }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(CorruptDataError);
    expect((err as Error).message).toContain('use another prefix');
    await deletePrefix(member.endpoint, prefix);
  });

  it('a watch survives an etcd restart: it resumes where it was, nothing lost or repeated', async () => {
    const s = await store();
    const writer = await store(member.endpoint, s.prefix);
    await writer.create('Counter', counter('c', 0));
    const events: WatchEvent<unknown>[] = [];
    const modified = () => events.filter((e) => e.type === 'MODIFIED').length;
    let synced!: () => void;
    let allSix!: () => void;
    const wasSynced = new Promise<void>((resolve) => (synced = resolve));
    const sawAllSix = new Promise<void>((resolve) => (allSix = resolve));
    const sub = s.watch({ kind: 'Counter' }).subscribe({
      next: (e) => {
        events.push(e);
        if (e.type === 'SYNCED') synced();
        if (modified() >= 6) allSix();
      },
    });
    await wasSynced;
    for (let i = 1; i <= 3; i++) await writer.update('Counter', 'c', counter('c', i));
    await member.stop('SIGKILL');
    // While etcd is down, writes fail and say why.
    const down = await writer.update('Counter', 'c', counter('c', 99)).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(EtcdUnavailableError);
    await member.resume();
    for (let i = 4; i <= 6; i++) {
      for (;;) {
        try {
          await writer.update('Counter', 'c', counter('c', i));
          break;
        } catch (err) {
          if (!(err instanceof EtcdUnavailableError)) throw err; // reconnecting
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    // Every write made is delivered, or the watch lost some: the values below say which.
    await Promise.race([sawAllSix, new Promise((r) => setTimeout(r, 15_000))]);
    sub.unsubscribe();
    const values = events
      .filter((e) => e.type === 'MODIFIED')
      .map((e) => (e.type === 'MODIFIED' ? (e.object.object as { value: number }).value : -1));
    expect(values).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
