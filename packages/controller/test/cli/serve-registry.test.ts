import { describe, expect, it } from 'vitest';
import { type ServeConfig, serveConfig } from '../../src/cli/serve-config.js';
import { UsageError } from '../../src/cli/usage-error.js';

/** `baton serve --registry …`: the control plane resolves each deployment's images (docs/multi-host.md). */
describe('baton serve: the registries whose images each deployment resolves', () => {
  const engine = ['--engine', 'unix:///tmp/none.sock'];

  it('reads --registry, --insecure-registry and --registry-config as baton agent does', () => {
    expect((serveConfig(engine, {}) as ServeConfig).registry).toBeUndefined();
    const config = serveConfig(
      [
        ...engine,
        '--registry',
        '127.0.0.1:5000',
        '--registry',
        'registry.internal',
        '--insecure-registry',
        '127.0.0.1:5000',
        '--registry-config',
        '/etc/baton/docker-config.json',
      ],
      {},
    ) as ServeConfig;
    expect(config.registry).toEqual({
      registries: ['127.0.0.1:5000', 'registry.internal'],
      insecure: ['127.0.0.1:5000'],
      config: '/etc/baton/docker-config.json',
    });
  });

  it('refuses what is not a registry host, naming the flag', () => {
    let error: unknown;
    try {
      serveConfig([...engine, '--registry', 'https://registry.internal/v2'], {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      '--registry: "https://registry.internal/v2" must be a registry host, e.g. registry.internal:5000',
    );
  });
});
