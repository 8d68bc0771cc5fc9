import { describe, expect, it } from 'vitest';
import { parseService, parseTaskDefinition } from '../src/index.js';
import { bad, fixture, lines, ok } from './helpers.js';

const c = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'app',
  image: 'busybox',
  memory: 64,
  ...over,
});
const td = (over: Record<string, unknown>) => ({ family: 'f', containerDefinitions: [c()], ...over });
const issuesOf = (input: unknown) => lines(bad(parseTaskDefinition(input)));

describe('ECS example task definitions with volumes and links', () => {
  it('WordPress + MySQL (links) parses with no warning', () => {
    const { value, warnings } = ok(parseTaskDefinition(fixture('task-definitions/wordpress-mysql.json')));
    expect(value.containerDefinitions[0]!.links).toEqual(['mysql']);
    expect(warnings).toEqual([]);
  });

  it('bind mounts, a task-scoped empty volume and volumesFrom parse with no warning', () => {
    const { value, warnings } = ok(parseTaskDefinition(fixture('task-definitions/bind-mounts.json')));
    expect(value.volumes).toEqual([
      { name: 'webdata', host: { sourcePath: '/ecs/webdata' } },
      { name: 'config', host: { sourcePath: '/etc/app-config' } },
      { name: 'scratch' },
    ]);
    expect(value.containerDefinitions[0]!.mountPoints).toEqual([
      { containerPath: '/usr/share/nginx/html', sourceVolume: 'webdata', readOnly: false },
    ]);
    expect(value.containerDefinitions[1]!.volumesFrom).toEqual([{ sourceContainer: 'web', readOnly: true }]);
    expect(warnings).toEqual([]);
  });

  it('Docker volumes from describe output: nulls are absent, sizes in words, empty lists silent', () => {
    const { value, warnings } = ok(parseTaskDefinition(fixture('task-definitions/docker-volumes.json')));
    expect(value.networkMode).toBe('bridge');
    expect(value.cpu).toBe('256');
    expect(value.memory).toBe('512');
    expect(value.volumes?.[1]).toEqual({
      name: 'db-data',
      dockerVolumeConfiguration: {
        scope: 'shared',
        autoprovision: true,
        driver: 'local',
        driverOpts: { type: 'tmpfs', device: 'tmpfs' },
      },
    });
    expect(value.containerDefinitions[0]!.linuxParameters).toEqual({
      initProcessEnabled: true,
      capabilities: { add: ['SYS_PTRACE'], drop: ['NET_RAW'] },
    });
    expect(warnings).toEqual([]);
  });
});

describe('task sizes as ECS accepts them', () => {
  it.each([
    ['.25 vcpu', '256'],
    ['0.5 vCPU', '512'],
    ['1 vcpu', '1024'],
    ['2 vCPUs', '2048'],
    ['2048', '2048'],
    [512, '512'],
  ])('cpu %s → %s', (cpu, units) => {
    expect(ok(parseTaskDefinition(td({ cpu }))).value.cpu).toBe(units);
  });
  it.each([
    ['0.5 GB', '512'],
    ['1 GB', '1024'],
    ['2048', '2048'],
    ['512 MiB', '512'],
  ])('memory %s → %s', (memory, mib) => {
    expect(ok(parseTaskDefinition(td({ memory }))).value.memory).toBe(mib);
  });
  it('refuses sizes that are not units', () => {
    expect(issuesOf(td({ cpu: 'lots' }))[0]).toMatch(/^cpu: must be CPU units/);
  });
});

describe('volume and mount rules', () => {
  it('a mountPoint must name a volume of the task definition', () => {
    expect(
      issuesOf(
        td({ containerDefinitions: [c({ mountPoints: [{ sourceVolume: 'data', containerPath: '/d' }] })] }),
      ),
    ).toEqual([
      'containerDefinitions[0].mountPoints[0].sourceVolume: names no volume of this task definition (got "data")',
    ]);
  });

  it('volumesFrom must name another container', () => {
    expect(issuesOf(td({ containerDefinitions: [c({ volumesFrom: [{ sourceContainer: 'db' }] })] }))).toEqual(
      [
        'containerDefinitions[0].volumesFrom[0].sourceContainer: names no container in this task definition (got "db")',
      ],
    );
    expect(
      issuesOf(td({ containerDefinitions: [c({ volumesFrom: [{ sourceContainer: 'app' }] })] })),
    ).toEqual([
      'containerDefinitions[0].volumesFrom[0].sourceContainer: a container cannot take volumes from itself',
    ]);
  });

  it('volume names are unique, one kind each; autoprovision only for shared volumes', () => {
    expect(
      issuesOf(
        td({
          volumes: [
            { name: 'a', host: { sourcePath: '/x' }, dockerVolumeConfiguration: { scope: 'task' } },
            { name: 'a' },
            { name: 'b', dockerVolumeConfiguration: { scope: 'task', autoprovision: true } },
          ],
        }),
      ),
    ).toEqual([
      'volumes[0]: sets host and dockerVolumeConfiguration: a volume is of one kind only',
      'volumes[1].name: volume name "a" is already used by volumes[0]',
      'volumes[2].dockerVolumeConfiguration.autoprovision: can only be true when scope is shared: a task-scoped volume is always created for its task',
    ]);
  });

  it('mount paths are absolute', () => {
    expect(
      issuesOf(
        td({
          volumes: [{ name: 'v' }],
          containerDefinitions: [c({ mountPoints: [{ sourceVolume: 'v', containerPath: 'data' }] })],
        }),
      ),
    ).toEqual(['containerDefinitions[0].mountPoints[0].containerPath: must be an absolute path']);
  });

  it('EFS and FSx volumes are kept and warned as AWS-only', () => {
    const { value, warnings } = ok(
      parseTaskDefinition(
        td({ volumes: [{ name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }] }),
      ),
    );
    expect((value.volumes?.[0] as Record<string, unknown> | undefined)?.efsVolumeConfiguration).toEqual({
      fileSystemId: 'fs-1',
    });
    expect(warnings.map((w) => [w.path, w.reason])).toEqual([
      ['volumes[0].efsVolumeConfiguration', 'aws-only'],
    ]);
  });
});

describe('links', () => {
  const pair = (links: unknown, networkMode = 'bridge') =>
    td({ networkMode, containerDefinitions: [c({ links }), c({ name: 'db' })] });

  it('name and name:alias of another container', () => {
    ok(parseTaskDefinition(pair(['db'])));
    ok(parseTaskDefinition(pair(['db:database'])));
    expect(issuesOf(pair(['cache']))).toEqual([
      'containerDefinitions[0].links[0]: names no container in this task definition (got "cache")',
    ]);
    expect(issuesOf(pair(['db:a:b']))).toEqual([
      'containerDefinitions[0].links[0]: must be "name" or "name:alias" (got "db:a:b")',
    ]);
  });

  it('only in bridge mode', () => {
    expect(issuesOf(pair(['db'], 'awsvpc'))).toEqual([
      'containerDefinitions[0].links: links are supported only in bridge network mode (got "awsvpc")',
    ]);
  });

  it('a link cycle is a dependency cycle', () => {
    const input = td({ containerDefinitions: [c({ links: ['db'] }), c({ name: 'db', links: ['app'] })] });
    expect(issuesOf(input)).toEqual(['containerDefinitions[0].dependsOn: dependency cycle: app → db → app']);
  });
});

describe('parsing real files', () => {
  it('null means absent at every depth', () => {
    const { value, warnings } = ok(
      parseTaskDefinition(
        td({
          cpu: null,
          volumes: null,
          containerDefinitions: [
            c({ healthCheck: null, portMappings: [{ containerPort: 80, hostPort: null }] }),
          ],
        }),
      ),
    );
    expect(value.cpu).toBeUndefined();
    expect(value.containerDefinitions[0]!.portMappings[0]!.hostPort).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('empty lists and objects of ignored fields give no warning; non-empty ones do', () => {
    expect(
      ok(parseTaskDefinition(td({ requiresCompatibilities: [], proxyConfiguration: {} }))).warnings,
    ).toEqual([]);
    expect(
      ok(parseTaskDefinition(td({ requiresCompatibilities: ['EC2'] }))).warnings.map((w) => w.path),
    ).toEqual(['requiresCompatibilities']);
  });

  it('deployment counts DescribeServices prints are known output fields', () => {
    const { warnings } = ok(
      parseService({
        serviceName: 's',
        taskDefinition: 'f:1',
        desiredCount: 1,
        deployments: [
          {
            id: 'ecs-svc/1',
            status: 'PRIMARY',
            taskDefinition: 'f:1',
            createdAt: 1,
            updatedAt: 1,
            failedLaunchTaskCount: 0,
            replacedTaskCount: 2,
          },
        ],
      }),
    );
    expect(warnings).toEqual([]);
  });
});
