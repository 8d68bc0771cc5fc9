import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreUnavailableError } from '@baton-ecs/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBaton, type LogRecord } from '../src/index.js';

const td = { family: 'disk', containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64 }] };

describe('Baton on a full disk (a 1 MiB tmpfs)', () => {
  let mountPoint: string;
  beforeAll(async () => {
    mountPoint = await mkdtemp(join(tmpdir(), 'baton-disk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]);
    } catch (err) {
      throw new Error(`the full-disk test mounts a tmpfs and needs root (mount -t tmpfs): ${err}`);
    }
  });
  afterAll(async () => {
    execFileSync('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  });

  it('is not ready while writes cannot be made durable, says so at error level, and recovers by itself', async () => {
    const logs: LogRecord[] = [];
    const dataDir = join(mountPoint, 'data');
    const baton = await createBaton({ cluster: 'disk', seed: 1, dataDir, logger: (r) => logs.push(r) });
    await baton.start();
    try {
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      expect(baton.health()).toMatchObject({ ready: true, store: { status: 'ok' } });
      const filler = join(mountPoint, 'filler');
      await writeFile(filler, '');
      for (const chunk = Buffer.alloc(4096, 1); ; ) {
        try {
          await writeFile(filler, chunk, { flag: 'a' });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
      const err = await baton
        .registerTaskDefinition({
          ...td,
          containerDefinitions: [{ ...td.containerDefinitions[0], command: ['x'.repeat(8192)] }],
        })
        .catch((e) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(baton.health()).toMatchObject({
        ready: false,
        store: { status: 'unavailable', code: 'ENOSPC' },
      });
      expect(logs).toContainEqual(
        expect.objectContaining({
          level: 'error',
          msg: 'store persistence failing; writes refused, retrying',
          code: 'ENOSPC',
        }),
      );
      await rm(filler);
      await new Promise<void>((resolve) => baton.health$.subscribe((h) => h.ready && resolve()));
      expect(logs).toContainEqual(
        expect.objectContaining({ level: 'info', msg: 'store persistence recovered' }),
      );
      const again = await baton.registerTaskDefinition(td);
      expect(again.taskDefinition.revision).toBe(2); // revision 1 was applied when the disk filled, and is durable now
      expect((await baton.describeTaskDefinition({ taskDefinition: 'disk:1' })).taskDefinition.family).toBe(
        'disk',
      );
    } finally {
      await baton.stop();
    }
  }, 30_000);
});
