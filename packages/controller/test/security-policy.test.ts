import { afterEach, describe, expect, it } from 'vitest';
import { type Baton, BatonApiError, createBaton, silentLogger } from '../src/index.js';

const container = { name: 'web', image: 'busybox', memory: 64 };
const batons: Baton[] = [];
afterEach(async () => {
  for (const b of batons.splice(0)) await b.stop();
});

async function baton(
  security?: Parameters<typeof createBaton>[0] extends infer O
    ? O extends { security?: infer S }
      ? S
      : never
    : never,
) {
  const b = await createBaton({
    cluster: 'sec',
    seed: 1,
    logger: silentLogger,
    ...(security ? { security } : {}),
  });
  batons.push(b);
  await b.start();
  return b;
}

async function refusal(p: Promise<unknown>): Promise<BatonApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof BatonApiError)) throw new Error(`expected a BatonApiError, got ${String(e)}`);
  return e;
}

const risky: [string, Record<string, unknown>, string, string][] = [
  [
    'privileged',
    { containerDefinitions: [{ ...container, privileged: true }] },
    'containerDefinitions[0].privileged',
    'allowPrivileged',
  ],
  [
    'host networking',
    { networkMode: 'host', containerDefinitions: [container] },
    'networkMode',
    'allowHostNetwork',
  ],
  ['host PID', { pidMode: 'host', containerDefinitions: [container] }, 'pidMode', 'allowHostPidIpc'],
  ['host IPC', { ipcMode: 'host', containerDefinitions: [container] }, 'ipcMode', 'allowHostPidIpc'],
  ...['/var/run/docker.sock', '/proc', '/sys/fs/cgroup', '/var', '/', '/home/../etc'].map(
    (source) =>
      [
        `a bind mount of ${source}`,
        { volumes: [{ name: 'v', host: { sourcePath: source } }], containerDefinitions: [container] },
        'volumes[0].host.sourcePath',
        'allowSensitiveHostMounts',
      ] as [string, Record<string, unknown>, string, string],
  ),
];

describe('host-level settings need an opt-in, as the ECS agent’s do', () => {
  for (const [what, fields, path, option] of risky) {
    it(`${what}: refused by default naming the field and the option; accepted when opted in`, async () => {
      const strict = await baton();
      const e = await refusal(strict.registerTaskDefinition({ family: 'risky', ...fields }));
      expect(e.code).toBe('InvalidParameterException');
      expect(e.issues).toEqual([
        expect.objectContaining({
          path,
          rule: 'security-policy',
          message: expect.stringContaining(`${option}: true`),
        }),
      ]);
      const open = await baton({ [option]: true });
      expect(
        (await open.registerTaskDefinition({ family: 'risky', ...fields })).taskDefinition.revision,
      ).toBe(1);
    });
  }

  it('an ordinary bind mount needs no opt-in', async () => {
    const b = await baton();
    await b.registerTaskDefinition({
      family: 'plain',
      volumes: [{ name: 'v', host: { sourcePath: '/srv/app-data' } }],
      containerDefinitions: [container],
    });
  });

  it('a task definition registered under a looser policy is refused when a task or service would start it', async () => {
    const store = (await baton({ allowPrivileged: true })).store;
    const first = batons[0]!;
    await first.registerTaskDefinition({
      family: 'p',
      containerDefinitions: [{ ...container, privileged: true }],
    });
    const strict = await createBaton({ cluster: 'sec', seed: 1, logger: silentLogger, store });
    batons.unshift(strict);
    await strict.start();
    expect((await refusal(strict.runTask({ taskDefinition: 'p' }))).issues[0]?.rule).toBe('security-policy');
    expect(
      (
        await refusal(
          strict.createService({ cluster: 'sec', serviceName: 's', taskDefinition: 'p', desiredCount: 1 }),
        )
      ).issues[0]?.path,
    ).toBe('containerDefinitions[0].privileged');
  });
});
