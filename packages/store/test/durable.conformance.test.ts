import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore, type Store } from '../src/index.js';
import { describeStoreConformance, type TestKinds } from './conformance/suite.js';

// A small snapshotEvery makes the suite cross snapshot + segment rotation boundaries often.
describeStoreConformance('durable memory', async (options) => {
  const dir = await mkdtemp(join(tmpdir(), 'baton-store-'));
  const open = () => createMemoryStore({ ...options, persistence: { dir, snapshotEvery: 4 } });
  let store: Store<TestKinds> = await open();
  return {
    store,
    async reopen() {
      await store.close();
      store = await open();
      return store;
    },
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
