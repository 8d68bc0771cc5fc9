import { z } from 'zod';
import { ecsObject, ignored, show } from './fields.js';

/**
 * ECS's log drivers for the EC2 launch type, plus Docker's `local` (a Baton extension: ECS's API
 * does not list it, Docker has it). `awslogs` and `awsfirelens` are carried out by Baton itself;
 * the rest are Docker drivers passed to the engine with their options.
 */
export const LogDriver = z.enum([
  'json-file',
  'local',
  'syslog',
  'journald',
  'gelf',
  'fluentd',
  'splunk',
  'awslogs',
  'awsfirelens',
]);
export type LogDriver = z.output<typeof LogDriver>;

/** `awslogs-multiline-pattern` and `awslogs-datetime-format` are exclusive (Docker's rule and wording). */
const exclusiveMultiline =
  'you cannot configure both awslogs-datetime-format and awslogs-multiline-pattern options';

export const LogConfiguration = ecsObject({
  logDriver: LogDriver,
  options: z.record(z.string(), z.string()).optional(),
  /** Resolved by the secrets provider when one is configured; otherwise kept and reported. */
  secretOptions: ignored('not-implemented'),
}).superRefine((lc, ctx) => {
  const o = lc.options ?? {};
  const at = (key: string) => ['options', key];
  const mode = o.mode;
  if (mode !== undefined && mode !== 'blocking' && mode !== 'non-blocking')
    ctx.addIssue({
      code: 'custom',
      path: at('mode'),
      message: `must be "blocking" or "non-blocking" (got ${show(mode)})`,
    });
  const buffer = o['max-buffer-size'];
  if (buffer !== undefined && parseByteSize(buffer) === undefined)
    ctx.addIssue({
      code: 'custom',
      path: at('max-buffer-size'),
      message: `must be a size such as 4m or 1048576 (got ${show(buffer)})`,
    });
  if (lc.logDriver !== 'awslogs') return;
  if (!o['awslogs-group'])
    ctx.addIssue({
      code: 'custom',
      path: at('awslogs-group'),
      message: "must specify a value for log opt 'awslogs-group'",
    });
  const pattern = o['awslogs-multiline-pattern'];
  if (pattern !== undefined && o['awslogs-datetime-format'] !== undefined)
    ctx.addIssue({ code: 'custom', path: at('awslogs-multiline-pattern'), message: exclusiveMultiline });
  if (pattern !== undefined && compiles(pattern) !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: at('awslogs-multiline-pattern'),
      message: `is not a valid regular expression: ${compiles(pattern)}`,
    });
  const create = o['awslogs-create-group'];
  if (create !== undefined && !/^(true|false)$/i.test(create))
    ctx.addIssue({
      code: 'custom',
      path: at('awslogs-create-group'),
      message: `must be "true" or "false" (got ${show(create)})`,
    });
});
export type LogConfiguration = z.output<typeof LogConfiguration>;

/** The log router of a task (FireLens). Baton wires the sockets; `options` shape the router's own config. */
export const FirelensConfiguration = ecsObject({
  type: z.enum(['fluentd', 'fluentbit']),
  options: z.record(z.string(), z.string()).optional(),
});
export type FirelensConfiguration = z.output<typeof FirelensConfiguration>;

function compiles(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Docker's sizes (`units.RAMInBytes`): a number with an optional b/k/m/g unit (binary multiples). */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const power = ['', 'k', 'm', 'g', 't'].indexOf((m[2] ?? '').toLowerCase());
  return Math.floor(Number(m[1]) * 1024 ** power);
}

/** What an `awslogs` configuration asks Baton to do, with Docker's defaults. */
export interface AwslogsSettings {
  readonly group: string;
  readonly region?: string;
  readonly streamPrefix?: string;
  readonly createGroup: boolean;
  readonly mode: 'blocking' | 'non-blocking';
  /** Bytes buffered for a non-blocking container before lines are dropped (Docker's default 1 MiB). */
  readonly maxBufferSize: number;
  /** A new event starts at a line matching this (from the multiline pattern or the datetime format). */
  readonly eventStart?: RegExp;
}

export const defaultMaxBufferSize = 1024 * 1024;

/** The awslogs settings of a log configuration, or undefined when it uses another driver. */
export function awslogsSettings(lc: LogConfiguration | undefined): AwslogsSettings | undefined {
  if (lc?.logDriver !== 'awslogs') return undefined;
  const o = lc.options ?? {};
  const start = o['awslogs-datetime-format']
    ? new RegExp(`^${strftimeToRegex(o['awslogs-datetime-format'])}`)
    : o['awslogs-multiline-pattern']
      ? new RegExp(o['awslogs-multiline-pattern'])
      : undefined;
  return {
    group: o['awslogs-group'] ?? '',
    ...(o['awslogs-region'] ? { region: o['awslogs-region'] } : {}),
    ...(o['awslogs-stream-prefix'] ? { streamPrefix: o['awslogs-stream-prefix'] } : {}),
    createGroup: /^true$/i.test(o['awslogs-create-group'] ?? ''),
    mode: o.mode === 'non-blocking' ? 'non-blocking' : 'blocking',
    maxBufferSize: parseByteSize(o['max-buffer-size'] ?? '') ?? defaultMaxBufferSize,
    ...(start ? { eventStart: start } : {}),
  };
}

/**
 * The log stream ECS names for a container: `prefix/container-name/task-id`; without a prefix, the
 * Docker driver's default, the engine's container id.
 */
export function awslogsStreamName(
  settings: Pick<AwslogsSettings, 'streamPrefix'>,
  containerName: string,
  taskArn: string,
  containerId: string,
): string {
  const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
  return settings.streamPrefix ? `${settings.streamPrefix}/${containerName}/${taskId}` : containerId;
}

/**
 * FireLens's task-level rules, over the raw input: at most one log router, and a container that
 * uses the `awsfirelens` driver needs one in its task.
 */
export function firelensRules(
  containers: readonly Readonly<Record<string, unknown>>[],
): { path: string; rule: string; message: string }[] {
  const issues: { path: string; rule: string; message: string }[] = [];
  const routers = containers.flatMap((c, i) => (c.firelensConfiguration ? [i] : []));
  if (routers.length > 1)
    issues.push({
      path: `containerDefinitions[${routers[1]}].firelensConfiguration`,
      rule: 'firelens-router',
      message: 'only one container in a task can have firelensConfiguration',
    });
  containers.forEach((c, i) => {
    const driver = (c.logConfiguration as { logDriver?: unknown } | undefined)?.logDriver;
    if (driver === 'awsfirelens' && routers.length === 0)
      issues.push({
        path: `containerDefinitions[${i}].logConfiguration.logDriver`,
        rule: 'firelens-router',
        message: 'awsfirelens needs a log router: a container of the task with firelensConfiguration',
      });
  });
  return issues;
}

/** Docker's strftime-to-regex table for `awslogs-datetime-format`. */
const strftime: Readonly<Record<string, string>> = {
  '%a': '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)',
  '%A': '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)',
  '%b': '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)',
  '%B': '(?:January|February|March|April|May|June|July|August|September|October|November|December)',
  '%d': '(?:0[1-9]|[12][0-9]|3[01])',
  '%H': '(?:[01][0-9]|2[0-3])',
  '%I': '(?:0[0-9]|1[0-2])',
  '%j': '(?:0[0-9][1-9]|[12][0-9][0-9]|3[0-5][0-9]|36[0-6])',
  '%L': '\\.\\d{3}',
  '%m': '(?:0[1-9]|1[0-2])',
  '%M': '[0-5][0-9]',
  '%p': '[AP]M',
  '%S': '[0-5][0-9]',
  '%f': '\\d{6}',
  '%y': '\\d{2}',
  '%Y': '\\d{4}',
  '%z': '[+-]\\d{4}',
  '%Z': '[A-Z]{1,4}T',
  '%%': '%',
};

/** A strftime format as a regular expression (literal text escaped; unknown directives kept literally). */
export function strftimeToRegex(format: string): string {
  return format
    .split(/(%.)/)
    .map((part, i) => (i % 2 === 1 ? (strftime[part] ?? escapeRegex(part)) : escapeRegex(part)))
    .join('');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
