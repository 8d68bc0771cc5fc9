import { describe } from 'vitest';
import { commitTests } from './commit.js';
import { crudTests } from './crud.js';
import type { StoreFactory } from './harness.js';
import { listAndGenerationTests } from './list.js';
import { restartTests } from './restart.js';
import { sequenceTests } from './sequences.js';
import { transactionTests } from './transactions.js';
import { watchTests } from './watch.js';

export type { ConformanceStoreOptions, StoreFactory, StoreUnderTest } from './harness.js';
export { type TestKinds, testKinds } from './kinds.js';

/**
 * The behaviour every Store backend must have. Call it from a test file with a factory that
 * builds a fresh, empty store from the options given (kinds, clock, window and buffer sizes).
 * It uses only the public Store interface, so any backend can run it unchanged.
 */
export function describeStoreConformance(name: string, makeStore: StoreFactory): void {
  describe(`Store conformance: ${name}`, () => {
    crudTests(makeStore);
    listAndGenerationTests(makeStore);
    commitTests(makeStore);
    transactionTests(makeStore);
    sequenceTests(makeStore);
    watchTests(makeStore);
    restartTests(makeStore);
  });
}
