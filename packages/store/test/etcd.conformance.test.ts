import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import { createEtcdStore, type Store } from '../src/index.js';
import { describeStoreConformance, type TestKinds } from './conformance/suite.js';
import { deletePrefix, EtcdProcess } from './etcd/etcd-process.js';

// The suite asserts exact versions (+1 per commit from 0), and on etcd versions are revisions, which
// every client of an etcd moves: so the suite gets an etcd member of its own (Debian's etcd-server on
// free loopback ports), never the shared one other test files write to concurrently.
let member: Promise<EtcdProcess> | undefined;
const etcd = () => {
  member ??= EtcdProcess.start();
  return member;
};

afterAll(async () => {
  await (await member)?.destroy();
}, 30_000);

describeStoreConformance('etcd', async (options) => {
  const { endpoint } = await etcd();
  const prefix = `/conformance/${randomUUID()}`;
  const open = () => createEtcdStore({ ...options, endpoints: endpoint, prefix });
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
      await deletePrefix(endpoint, prefix);
    },
  };
});
