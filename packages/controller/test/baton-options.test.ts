// createBaton validates its options before anything starts, naming each option at fault; before, a
// string given as `engines` failed deep inside the wiring with "Cannot read properties of undefined".
import { describe, expect, it } from 'vitest';
import { BatonApiError, createBaton } from '../src/index.js';

async function refusal(options: unknown): Promise<BatonApiError> {
  const err = await createBaton(options as never).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BatonApiError);
  return err as BatonApiError;
}

describe('createBaton options', () => {
  it('refuses an endpoint string where the list of engines belongs, naming the option', async () => {
    const err = await refusal({ engines: 'unix:///var/run/docker.sock' });
    expect(err.code).toBe('InvalidParameterException');
    expect(err.issues.map((i) => i.path)).toEqual(['engines']);
    expect(err.message).toMatch(/createBaton options: engines:/);
  });

  it('names the field inside a list, and every problem at once', async () => {
    const err = await refusal({ cluster: 'no spaces', engines: [{ endpoint: 'unix:///x' }], resyncMs: -1 });
    expect(err.issues.map((i) => i.path).sort()).toEqual(['cluster', 'engines[0].instanceId', 'resyncMs']);
  });

  it('names an option it does not know (a typo), instead of ignoring it', async () => {
    const err = await refusal({ clsuter: 'prod' });
    expect(err.message).toMatch(/unknown option clsuter/);
  });

  it('accepts the documented shapes', async () => {
    const baton = await createBaton({ cluster: 'options-ok', engines: [], seed: 1, resyncMs: 0 });
    await baton.stop();
  });
});
