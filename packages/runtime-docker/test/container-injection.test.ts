import type { ContainerSpec } from '@baton-ecs/reconciler';
import { describe, expect, it } from 'vitest';
import { withInjection } from '../src/index.js';

describe('withInjection', () => {
  it("merges as ECS's agent does: files/defaults < the definition's environment < secrets", () => {
    const spec = {
      environment: [
        { name: 'A', value: 'def' },
        { name: 'S', value: 'def' },
      ],
    } as unknown as ContainerSpec;
    const merged = withInjection(spec, {
      defaults: [
        { name: 'A', value: 'file' },
        { name: 'F', value: 'file' },
      ],
      overrides: [{ name: 'S', value: 'secret' }],
    });
    expect(merged.environment).toEqual([
      { name: 'F', value: 'file' },
      { name: 'A', value: 'def' },
      { name: 'S', value: 'secret' },
    ]);
    // The agent's own spec is left as it was.
    expect(spec.environment).toHaveLength(2);
  });
});
