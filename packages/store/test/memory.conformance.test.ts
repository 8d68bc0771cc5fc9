import { createMemoryStore } from '../src/index.js';
import { describeStoreConformance } from './conformance/suite.js';

describeStoreConformance('memory', async (options) => {
  const store = await createMemoryStore(options);
  return { store, cleanup: () => store.close() };
});
