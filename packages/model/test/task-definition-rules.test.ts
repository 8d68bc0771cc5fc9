import { describe, expect, it } from 'vitest';
import { parseTaskDefinition } from '../src/index.js';
import { bad, lines, ok } from './helpers.js';

/** A container definition as raw JSON: tests feed invalid values on purpose. */
const c = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'app',
  image: 'busybox',
  memory: 64,
  ...over,
});
const td = (over: Record<string, unknown>) => ({ family: 'f', containerDefinitions: [c()], ...over });
const issuesOf = (input: unknown) => lines(bad(parseTaskDefinition(input)));
const rulesOf = (input: unknown) => bad(parseTaskDefinition(input)).issues.map((i) => i.rule);

describe('task definition rules', () => {
  it('needs at least one essential container', () => {
    expect(issuesOf(td({ containerDefinitions: [c({ essential: false })] }))).toEqual([
      'containerDefinitions: at least one container must be essential',
    ]);
    expect(rulesOf(td({ containerDefinitions: [c({ essential: false })] }))).toEqual(['essential-container']);
    ok(parseTaskDefinition(td({ containerDefinitions: [c({ essential: false }), c({ name: 'b' })] })));
  });

  it('needs at least one container, at most ten', () => {
    expect(issuesOf(td({ containerDefinitions: [] }))).toEqual([
      'containerDefinitions: must have at least 1 item',
    ]);
    const eleven = Array.from({ length: 11 }, (_, i) => c({ name: `c${i}` }));
    expect(issuesOf(td({ containerDefinitions: eleven }))).toEqual([
      'containerDefinitions: must have at most 10 items',
    ]);
  });

  it('memory must exceed memoryReservation when both are set', () => {
    expect(issuesOf(td({ containerDefinitions: [c({ memory: 128, memoryReservation: 128 })] }))).toEqual([
      'containerDefinitions[0].memory: must be greater than memoryReservation (128) when both are set (got 128)',
    ]);
    ok(parseTaskDefinition(td({ containerDefinitions: [c({ memory: 129, memoryReservation: 128 })] })));
  });

  it('each container needs memory or memoryReservation unless the task sets memory', () => {
    const none = c({ memory: undefined });
    expect(rulesOf(td({ containerDefinitions: [none] }))).toEqual(['container-memory']);
    expect(issuesOf(td({ containerDefinitions: [none] }))).toEqual([
      'containerDefinitions[0]: needs memory or memoryReservation, because the task sets no memory',
    ]);
    ok(parseTaskDefinition(td({ containerDefinitions: [none], memory: '512' })));
    ok(parseTaskDefinition(td({ containerDefinitions: [c({ memory: undefined, memoryReservation: 32 })] })));
  });

  it('a container may not ask for more memory than the task has', () => {
    expect(rulesOf(td({ memory: '256', containerDefinitions: [c({ memory: 512 })] }))).toEqual([
      'task-memory',
    ]);
  });

  it.each([
    ['', 'family must be 1–255 letters, digits, hyphens or underscores (got "")'],
    ['has space', 'family must be 1–255 letters, digits, hyphens or underscores (got "has space")'],
    [
      'x'.repeat(256),
      `family must be 1–255 letters, digits, hyphens or underscores (got "${'x'.repeat(57)}...")`,
    ],
  ])('family %j is rejected', (family, message) => {
    expect(issuesOf(td({ family }))).toEqual([`family: ${message}`]);
  });

  it('accepts a family of 255 characters with hyphens and underscores', () => {
    ok(parseTaskDefinition(td({ family: `a-_${'x'.repeat(252)}` })));
  });

  it('container names follow the same pattern and are unique', () => {
    expect(issuesOf(td({ containerDefinitions: [c({ name: 'a.b' })] }))).toEqual([
      'containerDefinitions[0].name: a container name must be 1–255 letters, digits, hyphens or underscores (got "a.b")',
    ]);
    expect(issuesOf(td({ containerDefinitions: [c(), c({ essential: false })] }))).toEqual([
      'containerDefinitions[1].name: container name "app" is already used by containerDefinitions[0]',
    ]);
  });

  it.each([
    ['interval', 1, 'must be between 5 and 300 (got 1)'],
    ['interval', 301, 'must be between 5 and 300 (got 301)'],
    ['timeout', 1, 'must be between 2 and 60 (got 1)'],
    ['timeout', 61, 'must be between 2 and 60 (got 61)'],
    ['retries', 0, 'must be between 1 and 10 (got 0)'],
    ['retries', 11, 'must be between 1 and 10 (got 11)'],
    ['startPeriod', -1, 'must be between 0 and 300 (got -1)'],
    ['startPeriod', 301, 'must be between 0 and 300 (got 301)'],
    ['interval', 7.5, 'must be a whole number (got 7.5)'],
  ])('healthCheck.%s = %d is rejected', (field, value, message) => {
    const healthCheck = { command: ['CMD', 'true'], [field]: value };
    expect(issuesOf(td({ containerDefinitions: [c({ healthCheck })] }))).toEqual([
      `containerDefinitions[0].healthCheck.${field}: ${message}`,
    ]);
  });

  it('healthCheck defaults are 30 / 5 / 3 and bounds are inclusive', () => {
    const { value } = ok(
      parseTaskDefinition(
        td({ containerDefinitions: [c({ healthCheck: { command: ['CMD-SHELL', 'true'] } })] }),
      ),
    );
    expect(value.containerDefinitions[0]!.healthCheck).toEqual({
      command: ['CMD-SHELL', 'true'],
      interval: 30,
      timeout: 5,
      retries: 3,
    });
    const edges = { command: ['CMD', 'x'], interval: 5, timeout: 60, retries: 10, startPeriod: 300 };
    ok(parseTaskDefinition(td({ containerDefinitions: [c({ healthCheck: edges })] })));
  });

  it('healthCheck command starts with CMD or CMD-SHELL', () => {
    expect(issuesOf(td({ containerDefinitions: [c({ healthCheck: { command: ['curl', 'x'] } })] }))).toEqual([
      'containerDefinitions[0].healthCheck.command: must start with "CMD" or "CMD-SHELL" (got "curl")',
    ]);
  });

  it('hostPort must equal containerPort (or be absent) in host mode', () => {
    const pm = (hostPort?: number) => c({ portMappings: [{ containerPort: 80, hostPort }] });
    expect(issuesOf(td({ networkMode: 'host', containerDefinitions: [pm(8080)] }))).toEqual([
      'containerDefinitions[0].portMappings[0].hostPort: must equal containerPort (80) or be omitted in host network mode (got 8080)',
    ]);
    ok(parseTaskDefinition(td({ networkMode: 'host', containerDefinitions: [pm(80)] })));
    ok(parseTaskDefinition(td({ networkMode: 'host', containerDefinitions: [pm()] })));
    ok(parseTaskDefinition(td({ networkMode: 'bridge', containerDefinitions: [pm(8080)] })));
  });

  it('two static mappings of one host port conflict; dynamic ones do not', () => {
    const ports = [
      { containerPort: 80, hostPort: 8080 },
      { containerPort: 81, hostPort: 8080 },
      { containerPort: 82, hostPort: 0 },
      { containerPort: 83, hostPort: 0 },
      { containerPort: 84, hostPort: 8080, protocol: 'udp' },
    ];
    expect(rulesOf(td({ containerDefinitions: [c({ portMappings: ports })] }))).toEqual(['port-conflict']);
  });

  it('port numbers are bounded', () => {
    expect(issuesOf(td({ containerDefinitions: [c({ portMappings: [{ containerPort: 70000 }] })] }))).toEqual(
      ['containerDefinitions[0].portMappings[0].containerPort: must be between 1 and 65535 (got 70000)'],
    );
  });

  describe('dependsOn', () => {
    it('names an existing container', () => {
      const cs = [c({ dependsOn: [{ containerName: 'ghost', condition: 'START' }] })];
      expect(issuesOf(td({ containerDefinitions: cs }))).toEqual([
        'containerDefinitions[0].dependsOn[0].containerName: names no container in this task definition (got "ghost")',
      ]);
    });

    it('has no cycles', () => {
      const cs = [
        c({ name: 'a', dependsOn: [{ containerName: 'b', condition: 'START' }] }),
        c({ name: 'b', dependsOn: [{ containerName: 'c', condition: 'START' }] }),
        c({ name: 'c', dependsOn: [{ containerName: 'a', condition: 'START' }] }),
      ];
      expect(issuesOf(td({ containerDefinitions: cs }))).toEqual([
        'containerDefinitions[0].dependsOn: dependency cycle: a → b → c → a',
      ]);
      const self = [c({ name: 'a', dependsOn: [{ containerName: 'a', condition: 'START' }] })];
      expect(rulesOf(td({ containerDefinitions: self }))).toEqual(['depends-on-cycle']);
    });

    it.each(['COMPLETE', 'SUCCESS'])('%s never points at an essential container', (condition) => {
      const cs = [c({ name: 'a' }), c({ name: 'b', dependsOn: [{ containerName: 'a', condition }] })];
      expect(rulesOf(td({ containerDefinitions: cs }))).toEqual(['depends-on-essential']);
      const fine = [
        c({ name: 'a', essential: false }),
        c({ name: 'b', dependsOn: [{ containerName: 'a', condition }] }),
      ];
      ok(parseTaskDefinition(td({ containerDefinitions: fine })));
    });

    it('HEALTHY needs a health check on the dependency', () => {
      const cs = [
        c({ name: 'a' }),
        c({ name: 'b', dependsOn: [{ containerName: 'a', condition: 'HEALTHY' }] }),
      ];
      expect(rulesOf(td({ containerDefinitions: cs }))).toEqual(['depends-on-healthy']);
    });

    it('rejects an unknown condition', () => {
      const cs = [
        c({ name: 'a' }),
        c({ name: 'b', dependsOn: [{ containerName: 'a', condition: 'READY' }] }),
      ];
      expect(issuesOf(td({ containerDefinitions: cs }))).toEqual([
        'containerDefinitions[1].dependsOn[0].condition: must be one of START, COMPLETE, SUCCESS, HEALTHY (got "READY")',
      ]);
    });
  });

  describe('restartPolicy', () => {
    it('bounds restartAttemptPeriod to 60–1800 and defaults it to 300', () => {
      const rp = (restartAttemptPeriod?: number) =>
        td({ containerDefinitions: [c({ restartPolicy: { enabled: true, restartAttemptPeriod } })] });
      expect(issuesOf(rp(59))).toEqual([
        'containerDefinitions[0].restartPolicy.restartAttemptPeriod: must be between 60 and 1800 (got 59)',
      ]);
      expect(issuesOf(rp(1801))).toHaveLength(1);
      expect(ok(parseTaskDefinition(rp())).value.containerDefinitions[0]!.restartPolicy).toEqual({
        enabled: true,
        ignoredExitCodes: [],
        restartAttemptPeriod: 300,
      });
    });

    it('allows at most 50 ignored exit codes', () => {
      const codes = (n: number) =>
        td({
          containerDefinitions: [
            c({ restartPolicy: { enabled: true, ignoredExitCodes: Array.from({ length: n }, (_, i) => i) } }),
          ],
        });
      ok(parseTaskDefinition(codes(50)));
      expect(issuesOf(codes(51))).toEqual([
        'containerDefinitions[0].restartPolicy.ignoredExitCodes: must have at most 50 items',
      ]);
    });
  });

  it('placement constraints: memberOf only, expression checked at parse time', () => {
    expect(issuesOf(td({ placementConstraints: [{ type: 'distinctInstance' }] }))).toEqual([
      'placementConstraints[0].type: a task definition allows only memberOf constraints (got "distinctInstance")',
    ]);
    expect(
      issuesOf(
        td({ placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type in' }] }),
      ),
    ).toEqual([
      "placementConstraints[0].expression: memberOf expression, column 31: expected a value after 'in'",
    ]);
  });

  it('reports every problem of an input at once', () => {
    const input = {
      family: 'bad family',
      networkMode: 'overlay',
      containerDefinitions: [
        c({
          name: 'a',
          essential: false,
          memory: 10,
          memoryReservation: 20,
          healthCheck: { command: ['CMD', 'x'], interval: 1 },
        }),
        c({
          name: 'a',
          essential: false,
          image: 'has space',
          dependsOn: [{ containerName: 'zz', condition: 'START' }],
        }),
      ],
    };
    const error = bad(parseTaskDefinition(input));
    expect(error.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'family',
        'networkMode',
        'containerDefinitions[0].healthCheck.interval',
        'containerDefinitions[1].image',
        'containerDefinitions',
        'containerDefinitions[1].name',
        'containerDefinitions[0].memory',
        'containerDefinitions[1].dependsOn[0].containerName',
      ]),
    );
    expect(error.issues).toHaveLength(8);
    expect(error.message).toMatch(/^invalid task definition \(8 problems\):\n {2}family: /);
  });

  it('names a missing required field and a wrong type', () => {
    expect(issuesOf({ containerDefinitions: [{ name: 'a', memory: '64' }] })).toEqual([
      'family: is required',
      'containerDefinitions[0].image: is required',
      'containerDefinitions[0].memory: must be a number (got "64")',
    ]);
  });

  it('rejects input that is not an object or not JSON', () => {
    expect(issuesOf('{nope')[0]).toMatch(/^: is not JSON/);
    expect(issuesOf([1, 2])).toEqual([': must be a JSON object']);
  });

  it.each([
    ['256', '256'],
    [512, '512'],
    ['0.25 vCPU', '256'],
    ['2 vCPU', '2048'],
  ])('task cpu %j is stored as %s units', (cpu, units) => {
    expect(ok(parseTaskDefinition(td({ cpu, memory: '512' }))).value.cpu).toBe(units);
  });

  it.each([
    ['1 GB', '1024'],
    ['1GB', '1024'],
    ['512', '512'],
    [2048, '2048'],
  ])('task memory %j is stored as %s MiB', (memory, mib) => {
    expect(ok(parseTaskDefinition(td({ memory }))).value.memory).toBe(mib);
  });

  it('rejects a task cpu it cannot read', () => {
    expect(issuesOf(td({ cpu: 'lots' }))).toEqual([
      'cpu: must be CPU units (128–196608) or vCPUs such as "0.5 vCPU" (got "lots")',
    ]);
  });

  it('applies container defaults: essential, stopTimeout 30, cpu 0, tcp', () => {
    const { value } = ok(
      parseTaskDefinition(td({ containerDefinitions: [c({ portMappings: [{ containerPort: 80 }] })] })),
    );
    const [def] = value.containerDefinitions;
    expect(def).toMatchObject({ essential: true, stopTimeout: 30, cpu: 0, environment: [] });
    expect(def!.portMappings[0]!.protocol).toBe('tcp');
    expect(value.networkMode).toBe('bridge');
    expect(value.status).toBe('ACTIVE');
  });

  it('warns about fields it does not know, without rejecting them', () => {
    const { value, warnings } = ok(
      parseTaskDefinition(td({ containerDefinitions: [c({ colour: 'blue' })] })),
    );
    expect((value.containerDefinitions[0] as Record<string, unknown>).colour).toBe('blue');
    expect(warnings).toEqual([
      {
        path: 'containerDefinitions[0].colour',
        reason: 'unknown-field',
        message: 'is not a field Baton knows; kept and ignored',
      },
    ]);
  });
});
