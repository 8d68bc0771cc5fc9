import { describe, expect, it } from 'vitest';
import {
  awslogsSettings,
  awslogsStreamName,
  type LogConfiguration,
  parseByteSize,
  parseTaskDefinition,
  strftimeToRegex,
} from '../src/index.js';
import { bad, lines, ok } from './helpers.js';

const td = (...containers: Record<string, unknown>[]) => ({
  family: 'f',
  containerDefinitions: containers.map((c, i) => ({ name: `c${i}`, image: 'busybox', memory: 64, ...c })),
});
const awslogs = (options: Record<string, string>) => ({
  logConfiguration: { logDriver: 'awslogs', options },
});
const issuesOf = (input: unknown) => lines(bad(parseTaskDefinition(input)));

describe('logConfiguration', () => {
  it('accepts every Docker driver with its options, and keeps secretOptions with a warning', () => {
    for (const logDriver of ['json-file', 'local', 'syslog', 'journald', 'gelf', 'fluentd', 'splunk']) {
      const parsed = ok(parseTaskDefinition(td({ logConfiguration: { logDriver, options: { tag: 'x' } } })));
      expect(parsed.value.containerDefinitions[0]?.logConfiguration).toEqual({
        logDriver,
        options: { tag: 'x' },
      });
    }
    const withSecret = ok(
      parseTaskDefinition(
        td({
          logConfiguration: {
            logDriver: 'splunk',
            secretOptions: [{ name: 'splunk-token', valueFrom: 'arn:aws:ssm:us-east-1:1:parameter/t' }],
          },
        }),
      ),
    );
    expect(withSecret.warnings.map((w) => w.path)).toContain(
      'containerDefinitions[0].logConfiguration.secretOptions',
    );
  });

  it('refuses an unknown driver, naming the field', () => {
    expect(issuesOf(td({ logConfiguration: { logDriver: 'syslogd' } }))[0]).toMatch(
      /^containerDefinitions\[0\]\.logConfiguration\.logDriver: /,
    );
  });

  it("awslogs needs a group, one multiline rule, and Docker's mode values", () => {
    expect(issuesOf(td(awslogs({})))).toEqual([
      "containerDefinitions[0].logConfiguration.options.awslogs-group: must specify a value for log opt 'awslogs-group'",
    ]);
    expect(
      issuesOf(
        td(
          awslogs({
            'awslogs-group': 'g',
            'awslogs-multiline-pattern': '^x',
            'awslogs-datetime-format': '%Y',
          }),
        ),
      ),
    ).toEqual([
      'containerDefinitions[0].logConfiguration.options.awslogs-multiline-pattern: you cannot configure both awslogs-datetime-format and awslogs-multiline-pattern options',
    ]);
    expect(issuesOf(td(awslogs({ 'awslogs-group': 'g', mode: 'lossy', 'max-buffer-size': 'lots' })))).toEqual(
      [
        'containerDefinitions[0].logConfiguration.options.mode: must be "blocking" or "non-blocking" (got "lossy")',
        'containerDefinitions[0].logConfiguration.options.max-buffer-size: must be a size such as 4m or 1048576 (got "lots")',
      ],
    );
    expect(issuesOf(td(awslogs({ 'awslogs-group': 'g', 'awslogs-multiline-pattern': '(' }))).length).toBe(1);
  });

  it('awsfirelens needs a log router in the task, and a task has one router at most', () => {
    expect(issuesOf(td({ logConfiguration: { logDriver: 'awsfirelens' } }))).toEqual([
      'containerDefinitions[0].logConfiguration.logDriver: awsfirelens needs a log router: a container of the task with firelensConfiguration',
    ]);
    ok(
      parseTaskDefinition(
        td(
          { firelensConfiguration: { type: 'fluentbit' } },
          { logConfiguration: { logDriver: 'awsfirelens' } },
        ),
      ),
    );
    expect(
      issuesOf(
        td({ firelensConfiguration: { type: 'fluentbit' } }, { firelensConfiguration: { type: 'fluentd' } }),
      ),
    ).toEqual([
      'containerDefinitions[1].firelensConfiguration: only one container in a task can have firelensConfiguration',
    ]);
  });
});

describe('awslogs settings and naming', () => {
  const lc = (options: Record<string, string>): LogConfiguration => ({ logDriver: 'awslogs', options });

  it("uses Docker's defaults: blocking, 1 MiB buffer, no group creation", () => {
    expect(awslogsSettings(lc({ 'awslogs-group': 'g' }))).toEqual({
      group: 'g',
      createGroup: false,
      mode: 'blocking',
      maxBufferSize: 1024 * 1024,
    });
    expect(awslogsSettings({ logDriver: 'json-file' })).toBeUndefined();
    const s = awslogsSettings(
      lc({
        'awslogs-group': 'g',
        'awslogs-create-group': 'TRUE',
        mode: 'non-blocking',
        'max-buffer-size': '25m',
      }),
    );
    expect([s?.createGroup, s?.mode, s?.maxBufferSize]).toEqual([true, 'non-blocking', 25 * 1024 * 1024]);
  });

  it('names streams prefix/container-name/task-id, else by container id (as ECS and Docker do)', () => {
    const taskArn = 'arn:aws:ecs:us-east-1:123456789012:task/prod/0f1e2d3c4b5a';
    expect(awslogsStreamName({ streamPrefix: 'web' }, 'app', taskArn, 'abc123')).toBe('web/app/0f1e2d3c4b5a');
    expect(awslogsStreamName({}, 'app', taskArn, 'abc123')).toBe('abc123');
  });

  it('reads sizes as Docker does', () => {
    expect([
      parseByteSize('1048576'),
      parseByteSize('4m'),
      parseByteSize('2KB'),
      parseByteSize('1g'),
    ]).toEqual([1048576, 4 * 1024 * 1024, 2048, 1024 ** 3]);
    expect(parseByteSize('-1')).toBeUndefined();
  });

  it('turns awslogs-datetime-format into an anchored event-start pattern', () => {
    const start = awslogsSettings(
      lc({ 'awslogs-group': 'g', 'awslogs-datetime-format': '[%b %d, %Y %H:%M:%S]' }),
    )?.eventStart;
    expect(start?.test('[May 01, 2017 19:00:01] A message was logged')).toBe(true);
    expect(start?.test('   at com.example.Main(Main.java:3)')).toBe(false);
    expect(start?.test('x [May 01, 2017 19:00:01]')).toBe(false);
    expect(strftimeToRegex('%Y-%m-%dT%H:%M:%S%L%%')).toBe(
      '\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\\.\\d{3}%',
    );
  });
});
