import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CorruptDataError,
  createMemoryStore,
  type MemoryStore,
  repairDurableLog,
  StoreLockedError,
  StoreUnavailableError,
  UnencodableRecordError,
} from '../src/index.js';
import { type TestKinds, testKinds } from './conformance/kinds.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const dirs: string[] = [];
const stores: MemoryStore<TestKinds>[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(parent = tmpdir()): Promise<string> {
  const d = await mkdtemp(join(parent, 'baton-faults-'));
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

const names = async (s: MemoryStore<TestKinds>) => (await s.list('Counter')).items.map((e) => e.key).sort();

describe('a record that cannot be encoded fails its own write and nothing else', () => {
  for (const [what, value] of [
    ['a BigInt', 10n],
    [
      'a cycle',
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
    ],
  ] as const) {
    it(what, async () => {
      const dir = await tempDir();
      const store = await open(dir);
      await store.create('Counter', { name: 'before', value: 1 });
      const err = await store
        .create('Counter', { name: 'bad', value: 2, extra: value } as unknown as {
          name: string;
          value: number;
        })
        .catch((e) => e);
      expect(err).toBeInstanceOf(UnencodableRecordError);
      expect(err.message).toMatch(/^Counter "bad" cannot be stored: .*; nothing was written$/s);
      // Not applied, and the store goes on.
      expect(await store.get('Counter', 'bad')).toBeUndefined();
      await store.create('Counter', { name: 'after', value: 3 });
      expect(store.health().status).toBe('ok');
      await store.close();
      expect(await names(await open(dir))).toEqual(['after', 'before']);
    });
  }
});

describe('a flipped bit', () => {
  it('in a record followed by intact ones: recovery refuses, naming file and offset; repair keeps what precedes it', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    for (let i = 1; i <= 6; i++) await store.create('Counter', { name: `c${i}`, value: i });
    await store.close();
    const wal = join(dir, (await readdir(dir)).find((f) => f.startsWith('wal-'))!);
    const bytes = await readFile(wal);
    // Flip one bit inside the third record's payload.
    const third = bytes.indexOf('"c3"');
    bytes.writeUInt8(bytes.readUInt8(third) ^ 0x01, third);
    await writeFile(wal, bytes);

    const err = await open(dir).catch((e) => e);
    expect(err).toBeInstanceOf(CorruptDataError);
    expect(err.file).toBe(wal);
    const recordStart = bytes.lastIndexOf('{"version":3', third) - 8;
    expect(err.offset).toBe(recordStart);
    expect(err.message).toContain(
      `damaged at byte ${recordStart} (checksum mismatch) and intact records follow`,
    );
    expect(err.message).toContain(`npx baton-store repair ${dir}`);
    // Refusing did not touch the file.
    expect((await readFile(wal)).equals(bytes)).toBe(true);

    // The documented command; repairDurableLog(dir) is the same as an API.
    const cli = join(here, '..', 'bin', 'baton-store.mjs');
    const report = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', cli, 'repair', dir], {
        cwd: root,
        encoding: 'utf8',
      }),
    ) as Awaited<ReturnType<typeof repairDurableLog>>;
    expect(report).toMatchObject({ segment: wal, offset: recordStart, keptThroughVersion: 2 });
    expect((await readFile(report.setAside[0]!)).length).toBe(bytes.length - recordStart);
    const again = await open(dir);
    expect(await names(again)).toEqual(['c1', 'c2']);
    await again.create('Counter', { name: 'c7', value: 7 });
    await again.close();
    expect(await repairDurableLog(dir)).toMatchObject({ segment: undefined, keptThroughVersion: 3 });
  });

  it('in the last record alone is a torn tail: cut off, as before', async () => {
    const dir = await tempDir();
    const store = await open(dir);
    for (let i = 1; i <= 3; i++) await store.create('Counter', { name: `c${i}`, value: i });
    await store.close();
    const wal = join(dir, (await readdir(dir)).find((f) => f.startsWith('wal-'))!);
    const bytes = await readFile(wal);
    const at = bytes.lastIndexOf('"c3"');
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
    await writeFile(wal, bytes);
    expect(await names(await open(dir))).toEqual(['c1', 'c2']);
  });
});

describe('the directory lock is an OS lock', () => {
  const holder = join(here, 'fixtures', 'lock-holder.ts');
  function startHolder(dir: string): Promise<{ child: ChildProcess; line: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', holder, dir], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      let errText = '';
      const timer = setTimeout(
        () => reject(new Error(`lock holder did not answer; stderr: ${errText}`)),
        15_000,
      );
      child.stderr!.on('data', (d) => {
        errText += d;
      });
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) {
          clearTimeout(timer);
          resolve({ child, line: out.trim() });
        }
      });
    });
  }

  it('two processes: the second is refused while the first lives, and gets in once it is SIGKILLed', async () => {
    const dir = await tempDir();
    const first = await startHolder(dir);
    expect(first.line).toBe('ready');
    const second = await startHolder(dir);
    expect(second.line).toBe('refused STORE_LOCKED');
    const err = await open(dir).catch((e) => e);
    expect(err).toBeInstanceOf(StoreLockedError);
    expect(err.message).toContain(`${first.child.pid}@`);
    const exited = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    await exited;
    // The kernel released the lock with its holder: no pid check, no stale file to clear.
    const store = await open(dir);
    expect(await names(store)).toEqual([`held-${first.child.pid}`]);
  }, 40_000);

  it('a stale LOCK file naming a live, unrelated process does not stop a start', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'LOCK'), '1'); // pid 1 is alive, and is not a store
    const store = await open(dir);
    await store.create('Counter', { name: 'c', value: 1 });
    expect(await names(store)).toEqual(['c']);
  });

  it('the data directory is private: directory 0700, files 0600', async () => {
    const parent = await tempDir();
    const dir = join(parent, 'data');
    const store = await open(dir, 2);
    for (let i = 1; i <= 3; i++) await store.create('Counter', { name: `c${i}`, value: i });
    await store.close();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const files = await readdir(dir);
    expect(files.some((f) => f.startsWith('snapshot-'))).toBe(true);
    for (const f of files) expect([f, (await stat(join(dir, f))).mode & 0o777]).toEqual([f, 0o600]);
  });
});

describe('a full disk (a 512 KiB tmpfs)', () => {
  let mountPoint: string;
  beforeAll(async () => {
    mountPoint = await mkdtemp(join(tmpdir(), 'baton-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mountPoint]);
    } catch (err) {
      throw new Error(`the full-disk test mounts a tmpfs and needs root (mount -t tmpfs): ${err}`);
    }
  });
  afterAll(async () => {
    execFileSync('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  });

  it('fails writes fast with ENOSPC in health, serves no stale reads, and recovers by itself when space is freed', async () => {
    const dir = join(mountPoint, 'data');
    const store = await open(dir);
    await store.create('Counter', { name: 'before', value: 1 });
    const filler = join(mountPoint, 'filler');
    // Fill the disk to the last byte.
    const chunk = Buffer.alloc(4096, 1);
    await writeFile(filler, '');
    for (;;) {
      try {
        await writeFile(filler, chunk, { flag: 'a' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw err;
      }
    }
    const big = 'x'.repeat(8192);
    const err = await store
      .create('Counter', { name: 'during', value: 2, pad: big } as never)
      .catch((e) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(store.health()).toMatchObject({ status: 'unavailable', code: 'ENOSPC', durableVersion: 1 });
    const started = performance.now();
    const refused = await store.create('Counter', { name: 'refused', value: 3 }).catch((e) => e);
    expect(refused).toBeInstanceOf(StoreUnavailableError);
    await expect(store.list('Counter')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(performance.now() - started).toBeLessThan(100);

    await rm(filler);
    const recovered = new Promise<void>((resolve) =>
      store.health$.subscribe((h) => {
        if (h.status === 'ok') resolve();
      }),
    );
    await recovered;
    // The write that was applied when the disk filled is now durable; the refused one never happened.
    expect(await names(store)).toEqual(['before', 'during']);
    await store.create('Counter', { name: 'after', value: 4 });
    await store.close();
    expect(await names(await open(dir))).toEqual(['after', 'before', 'during']);
  }, 30_000);
});
