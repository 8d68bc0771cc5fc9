import { closeSync, readdirSync, readlinkSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CorruptDataError,
  createMemoryStore,
  defineKinds,
  kind,
  type MemoryStore,
  StoreLockedError,
  StoreUnavailableError,
} from '../src/index.js';
import { type TestKinds, task, taskKey, testKinds } from './conformance/kinds.js';
import { Recorder } from './conformance/recorder.js';

const dirs: string[] = [];
const stores: MemoryStore<TestKinds>[] = [];

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'baton-durable-'));
  dirs.push(d);
  return d;
}

async function open(dir: string, snapshotEvery = 1000): Promise<MemoryStore<TestKinds>> {
  const s = await createMemoryStore({
    kinds: testKinds,
    clock: () => 7,
    persistence: { dir, snapshotEvery },
  });
  stores.push(s);
  return s;
}

const counters = async (s: MemoryStore<TestKinds>) =>
  Object.fromEntries((await s.list('Counter')).items.map((e) => [e.key, e.object.value]));

describe('durable memory store', () => {
  it('group-commits writes made in the same tick: one write + fdatasync', async () => {
    const store = await open(await tempDir());
    const before = store.stats().persistence!;
    const writes = Array.from({ length: 50 }, (_, i) => store.create('Counter', { name: `c${i}`, value: i }));
    await Promise.all(writes);
    const after = store.stats().persistence!;
    expect(after.flushes - before.flushes).toBe(1);
    expect(after.records - before.records).toBe(50);
    expect(after.durableVersion).toBe(50);
  });

  it('acknowledges a commit only once it is durable', async () => {
    const store = await open(await tempDir());
    const p = store.create('Counter', { name: 'c', value: 1 });
    expect(store.stats().version).toBe(1);
    expect(store.stats().persistence?.durableVersion).toBe(0);
    const e = await p;
    expect(store.stats().persistence!.durableVersion).toBeGreaterThanOrEqual(e.version);
  });

  it('releases reads and watch events only once what they reflect is durable', async () => {
    const store = await open(await tempDir());
    const durableAtEvent: [number, number][] = [];
    let bSeen!: () => void;
    const bEvent = new Promise<void>((resolve) => (bSeen = resolve));
    const sub = store.watch({ kind: 'Counter' }).subscribe((e) => {
      durableAtEvent.push([e.version, store.stats().persistence!.durableVersion]);
      if (e.type === 'ADDED' && e.object.key === 'b') bSeen();
    });
    void store.create('Counter', { name: 'a', value: 1 });
    const read = await store.get('Counter', 'a');
    expect(read).toBeDefined();
    expect(store.stats().persistence!.durableVersion).toBe(1);
    await store.create('Counter', { name: 'b', value: 1 });
    await bEvent; // the watch has delivered b's creation
    sub.unsubscribe();
    expect(durableAtEvent.length).toBeGreaterThanOrEqual(3);
    for (const [version, durable] of durableAtEvent) expect(durable).toBeGreaterThanOrEqual(version);
  });

  it('snapshots every N commits and removes the segments and snapshots it supersedes', async () => {
    const dir = await tempDir();
    const store = await open(dir, 5);
    for (let i = 1; i <= 23; i++) await store.create('Counter', { name: `c${i}`, value: i });
    await store.close();
    // A snapshot is skipped (deferred) while the previous one is still being written.
    expect(store.stats().persistence!.snapshots).toBeGreaterThanOrEqual(2);
    // LOCK stays: it is flock(2)ed, never removed (removing a locked file would let two stores in).
    const files = (await readdir(dir)).filter((f) => f !== 'LOCK').sort();
    expect(files).toHaveLength(2);
    const [snap, wal] = files as [string, string];
    const at = Number(/^snapshot-(\d{20})\.snap$/.exec(snap)?.[1]);
    expect(at).toBeGreaterThanOrEqual(10);
    expect(wal).toBe(`wal-${String(at + 1).padStart(20, '0')}.log`);
    const again = await open(dir, 5);
    expect(await again.version()).toBe(23);
    expect(Object.keys(await counters(again))).toHaveLength(23);
  });

  it('cuts a torn tail off the log on open and keeps working', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    for (let i = 1; i <= 5; i++) await store.create('Counter', { name: `c${i}`, value: i });
    await store.close();
    const wal = join(dir, (await readdir(dir)).find((f) => f.startsWith('wal-'))!);
    const intact = (await stat(wal)).size;
    // A record header promising 500 bytes, followed by 10: a crash mid-append.
    const torn = Buffer.alloc(18);
    torn.writeUInt32LE(500, 0);
    await appendFile(wal, torn);

    const again = await open(dir);
    expect(await again.version()).toBe(5);
    expect((await stat(wal)).size).toBe(intact);
    await again.create('Counter', { name: 'c6', value: 6 });
    await again.close();
    const third = await open(dir);
    expect(await third.version()).toBe(6);
  });

  it('drops a last record whose checksum does not match', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    for (let i = 1; i <= 3; i++) await store.create('Counter', { name: `c${i}`, value: i });
    await store.close();
    const wal = join(dir, (await readdir(dir)).find((f) => f.startsWith('wal-'))!);
    const bytes = await readFile(wal);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 3) ^ 0xff, bytes.length - 3);
    await writeFile(wal, bytes);
    const again = await open(dir);
    expect(await again.version()).toBe(2);
    expect(Object.keys(await counters(again))).toEqual(['c1', 'c2']);
  });

  it('refuses to open a log damaged before its end, or with a missing segment', async () => {
    const dir = await tempDir();
    const store = await open(dir, 3);
    for (let i = 1; i <= 4; i++) await store.create('Counter', { name: `c${i}`, value: i });
    await store.close();
    // Keep the snapshot (at 3) but fake an older, damaged segment before the current one.
    await writeFile(join(dir, 'wal-00000000000000000002.log'), Buffer.from('BTNWAL01garbage!'));
    await expect(open(dir, 3)).rejects.toBeInstanceOf(CorruptDataError);
    await rm(join(dir, 'wal-00000000000000000002.log'));

    await rm(join(dir, 'snapshot-00000000000000000003.snap'));
    const err = await open(dir, 3).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptDataError);
    expect(err.message).toContain('missing');
  });

  it('refuses a corrupt snapshot, and ignores a half-written one', async () => {
    const dir = await tempDir();
    const store = await open(dir, 2);
    for (let i = 1; i <= 2; i++) await store.create('Counter', { name: `c${i}`, value: i });
    await store.close();
    await writeFile(join(dir, 'snapshot-00000000000000000009.snap.tmp'), 'half');
    const again = await open(dir, 2);
    expect(await again.version()).toBe(2);
    await again.close();
    expect((await readdir(dir)).some((f) => f.endsWith('.tmp'))).toBe(false);

    const snap = join(dir, 'snapshot-00000000000000000002.snap');
    const text = await readFile(snap, 'utf8');
    await writeFile(snap, text.replace('"value":1', '"value":9'));
    await expect(open(dir, 2)).rejects.toBeInstanceOf(CorruptDataError);
  });

  it('refuses data of a kind the store does not register', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    await store.create('Counter', { name: 'c', value: 1 });
    await store.close();
    const fewer = defineKinds({ Task: testKinds.Task, Other: kind({ key: (o: { id: string }) => o.id }) });
    const err = await createMemoryStore({ kinds: fewer, persistence: { dir } }).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptDataError);
    expect(err.message).toContain('"Counter"');
  });

  it('locks its directory against a second store; a dead owner’s lock is taken over', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    await expect(open(dir)).rejects.toBeInstanceOf(StoreLockedError);
    await store.close();
    // A pid that cannot be alive (beyond pid_max).
    await writeFile(join(dir, 'LOCK'), '99999999');
    const again = await open(dir);
    await again.create('Task', task('a'));
    expect(await again.get('Task', taskKey('a'))).toBeDefined();
  });

  it('a segment rotation that fails postpones the snapshot; writes go on and nothing is lost', async () => {
    const dir = await tempDir();
    const store = await open(dir, 3);
    // The rotation after the 3rd commit cannot create its segment file.
    await mkdir(join(dir, 'wal-00000000000000000004.log'));
    const r = new Recorder(store.watch({ kind: 'Counter' }));
    await r.synced();
    for (let i = 1; i <= 5; i++) await store.create('Counter', { name: `c${i}`, value: i });
    expect(store.health()).toMatchObject({ status: 'ok', durableVersion: 5 });
    expect(store.health().lastSnapshotError).toContain('wal-00000000000000000004.log');
    expect(store.stats().persistence?.snapshots).toBe(0);
    await r.count(5);
    await store.close();
    await rm(join(dir, 'wal-00000000000000000004.log'), { recursive: true });
    const again = await open(dir, 3);
    expect(await again.version()).toBe(5);
    expect(Object.keys(await counters(again))).toHaveLength(5);
  });
});

describe('durable memory store: write failures', () => {
  it('a failed write fails fast, holds events back, and recovers by itself (reopening the file)', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    await store.create('Counter', { name: 'c', value: 0 });
    const r = new Recorder(store.watch({ kind: 'Counter' }));
    await r.synced();
    const healths: string[] = [];
    store.health$.subscribe((h) => healths.push(h.status));
    // Pull the log's file descriptor out from under it, so its next write fails (EBADF).
    const wal = join(dir, (await readdir(dir)).find((f) => f.startsWith('wal-'))!);
    const fd = readdirSync('/proc/self/fd').find((n) => {
      try {
        return readlinkSync(`/proc/self/fd/${n}`) === wal;
      } catch {
        return false;
      }
    });
    expect(fd).toBeDefined();
    closeSync(Number(fd));
    const err = await store.update('Counter', 'c', { name: 'c', value: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err.message).toContain('persistence is failing');
    // While it is failing, reads and writes are refused at once rather than answered from memory.
    await expect(store.get('Counter', 'c')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(r.objects().map((e) => e.version)).toEqual([1]); // the undurable version 2 is not delivered yet
    // The retry reopens the segment, cuts it back and writes version 2 again.
    await r.count(2);
    expect(r.objects().map((e) => e.version)).toEqual([1, 2]);
    expect(store.health()).toMatchObject({ status: 'ok', durableVersion: 2 });
    expect(healths).toEqual(['ok', 'unavailable', 'ok']);
    await store.update('Counter', 'c', { name: 'c', value: 2 });
    await store.close();
    const again = await open(dir);
    expect((await again.get('Counter', 'c'))?.object.value).toBe(2);
  });
});
