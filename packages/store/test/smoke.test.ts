import { MODEL_PACKAGE } from '@baton/model';
import { expect, it } from 'vitest';

it('resolves workspace packages from source', () => {
  expect(MODEL_PACKAGE).toBe('@baton/model');
});
