import { describe, expect, it } from 'vitest';
import { parsePortRange, parseTaskDefinition } from '../src/index.js';
import { bad, lines, ok } from './helpers.js';

const td = (portMappings: unknown[], networkMode = 'bridge') => ({
  family: 'f',
  networkMode,
  containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64, portMappings }],
});
const issuesOf = (input: unknown) => lines(bad(parseTaskDefinition(input)));

describe('containerPortRange: ECS’s rules', () => {
  it('a range parses with no warning in bridge and awsvpc, beside single ports', () => {
    for (const mode of ['bridge', 'awsvpc']) {
      const { value, warnings } = ok(
        parseTaskDefinition(td([{ containerPortRange: '8000-8010' }, { containerPort: 9000 }], mode)),
      );
      expect(value.containerDefinitions[0]!.portMappings[0]).toEqual({
        containerPortRange: '8000-8010',
        protocol: 'tcp',
      });
      expect(warnings).toEqual([]);
    }
  });

  it('is refused in host and none modes, malformed, with containerPort or hostPort, or overlapping', () => {
    expect(issuesOf(td([{ containerPortRange: '8000-8010' }], 'host'))).toEqual([
      'containerDefinitions[0].portMappings[0].containerPortRange: is supported only in bridge and awsvpc network modes (got "host")',
    ]);
    for (const bad of ['8010-8000', '0-10', '8000', '8000-70000', '80-80'])
      expect(issuesOf(td([{ containerPortRange: bad }]))).toEqual([
        `containerDefinitions[0].portMappings[0].containerPortRange: must be "first-last" with 1 ≤ first < last ≤ 65535 (got "${bad}")`,
      ]);
    expect(issuesOf(td([{ containerPortRange: '8000-8010', containerPort: 8000, hostPort: 8000 }]))).toEqual([
      'containerDefinitions[0].portMappings[0].containerPort: cannot be set with containerPortRange',
      'containerDefinitions[0].portMappings[0].hostPort: cannot be set with containerPortRange: each port of the range gets its own host port',
    ]);
    expect(issuesOf(td([{ containerPort: 8005 }, { containerPortRange: '8000-8010' }]))).toEqual([
      'containerDefinitions[0].portMappings[1]: ports 8000-8010/tcp overlap portMappings[0]: a port can be in one port mapping per container',
    ]);
    expect(issuesOf(td([{ containerPortRange: '8000-8010', hostPortRange: '9000-9010' }]))).toEqual([
      'containerDefinitions[0].portMappings[0].hostPortRange: is set by the agent, not in a task definition (give containerPortRange)',
    ]);
    expect(issuesOf(td([{ protocol: 'tcp' }]))).toEqual([
      'containerDefinitions[0].portMappings[0].containerPort: is required unless containerPortRange is set',
    ]);
  });

  it('the same ports on tcp and udp do not overlap; at most 100 ranges per container', () => {
    expect(
      ok(
        parseTaskDefinition(
          td([{ containerPortRange: '53-60' }, { containerPortRange: '53-60', protocol: 'udp' }]),
        ),
      ).warnings,
    ).toEqual([]);
    const many = Array.from({ length: 101 }, (_, i) => ({
      containerPortRange: `${10000 + i * 2}-${10001 + i * 2}`,
    }));
    expect(issuesOf(td(many))).toEqual([
      'containerDefinitions[0].portMappings: at most 100 port ranges per container (got 101)',
    ]);
  });

  it('parsePortRange', () => {
    expect(parsePortRange(' 1 - 65535 ')).toEqual({ first: 1, last: 65535 });
    expect(parsePortRange('a-b')).toBeUndefined();
  });
});
