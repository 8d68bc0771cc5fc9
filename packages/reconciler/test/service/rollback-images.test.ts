import { Deployment } from '@baton-ecs/model';
import { mulberry32 } from '@baton-ecs/scheduler';
import { describe, expect, it } from 'vitest';
import { rollBackTo } from '../../src/index.js';

/*
 * A rollback to a deployment whose tasks are gone redeploys it with the image digests it ran: the
 * tags are not resolved again (they may have moved since). Planted bug this catches: rollBackTo
 * returning ensurePrimaryDeployment's new deployment as is (no containerImages, so the controller
 * resolved the tags anew).
 */
const td1 = 'arn:aws:ecs:local:000000000000:task-definition/web:1';
const td2 = 'arn:aws:ecs:local:000000000000:task-definition/web:2';
const digest = `sha256:${'a'.repeat(64)}`;
const t0 = Date.UTC(2024, 0, 1);

const completed = Deployment.parse({
  id: 'ecs-svc/1111111111111111111',
  status: 'INACTIVE',
  taskDefinition: td1,
  createdAt: t0,
  updatedAt: t0 + 60_000,
  rolloutState: 'COMPLETED',
  containerImages: [{ containerName: 'web', image: `127.0.0.1:5000/web@${digest}`, imageDigest: digest }],
});
const failing = Deployment.parse({
  id: 'ecs-svc/2222222222222222222',
  status: 'PRIMARY',
  taskDefinition: td2,
  createdAt: t0 + 120_000,
  updatedAt: t0 + 120_000,
  rolloutState: 'FAILED',
});
const random = mulberry32(1);

describe('rollBackTo', () => {
  it('redeploys an INACTIVE target with the image digests it ran', () => {
    const next = rollBackTo([completed, failing], completed, 2, t0 + 180_000, random);
    const primary = next.find((d) => d.status === 'PRIMARY');
    expect(primary?.id).not.toBe(completed.id);
    expect(primary?.taskDefinition).toBe(td1);
    expect(primary?.containerImages).toEqual(completed.containerImages);
  });

  it('a target that never had digests (no registry to resolve with) leaves the new deployment to resolve', () => {
    const { containerImages: _, ...unpinned } = completed;
    const next = rollBackTo([unpinned, failing], unpinned, 2, t0 + 180_000, random);
    expect(next.find((d) => d.status === 'PRIMARY')?.containerImages).toBeUndefined();
  });
});
