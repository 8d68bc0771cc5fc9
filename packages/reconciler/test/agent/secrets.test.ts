import { describe, expect, it } from 'vitest';
import type { CreateContainerAction } from '../../src/agent/index.js';
import { def, reconcile, T0, task, taskDef, tdMap } from './helpers.js';

const reason =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: invalid parameters: /app/missing';

describe('reconcileInstance: secrets', () => {
  const td = taskDef([
    def('web', {
      image: 'web:1',
      environment: [{ name: 'PLAIN', value: '1' }],
      secrets: [{ name: 'TOKEN', valueFrom: '/app/token' }],
      repositoryCredentials: { credentialsParameter: 'arn:aws:secretsmanager:r:1:secret:reg' },
    }),
  ]);

  it('never puts a value in the container spec: only the definition environment, no secret variables', () => {
    const t = task(td);
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      images: ['web:1'],
      settings: { imagePullBehavior: 'once' },
    });
    const create = r.actions.find((a): a is CreateContainerAction => a.type === 'CreateContainer');
    expect(create?.spec.environment).toEqual([{ name: 'PLAIN', value: '1' }]);
    expect(JSON.stringify(create)).not.toContain('TOKEN');
  });

  it("stops the task with the runtime's reason verbatim when its secrets could not be resolved", () => {
    const t = task(td);
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      images: ['web:1'],
      settings: { imagePullBehavior: 'once' },
      outcomes: [
        {
          action: 'CreateContainer',
          taskArn: t.taskArn,
          containerName: 'web',
          ok: false,
          at: T0,
          message: reason,
          reason,
        },
      ],
    });
    expect(r.taskUpdates[0]?.changes).toMatchObject({ stopCode: 'TaskFailedToStart', stoppedReason: reason });
  });

  it('a registry login that could not be resolved fails the pull with its reason', () => {
    const t = task(td);
    const r = reconcile({
      tasks: [t],
      taskDefinitions: tdMap(td),
      settings: { imagePullBehavior: 'always' },
      outcomes: [
        {
          action: 'PullImage',
          taskArn: t.taskArn,
          containerName: 'web',
          ok: false,
          at: T0,
          message: 'x',
          reason,
        },
      ],
    });
    expect(r.taskUpdates[0]?.changes.stoppedReason).toBe(reason);
  });
});
