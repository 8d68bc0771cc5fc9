import { describe, expect, it } from 'vitest';
import { apply } from '../../src/cli/apply.js';
import type { VerbIo } from '../../src/cli/client-args.js';
import { describe as describeVerb } from '../../src/cli/describe.js';
import { diff } from '../../src/cli/diff.js';
import { events } from '../../src/cli/events.js';
import { get } from '../../src/cli/get.js';
import { logs } from '../../src/cli/logs.js';
import { UsageError } from '../../src/cli/usage-error.js';

const verbs = { apply, diff, get, describe: describeVerb, events, logs };

const run = async (verb: (io: VerbIo) => Promise<number>, argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await verb({ argv, env: {}, stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

describe('client verbs: --help and usage errors (no endpoint needed)', () => {
  for (const [name, verb] of Object.entries(verbs))
    it(`baton ${name} --help prints its usage, the connection flags and examples`, async () => {
      const r = await run(verb, ['--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^usage: baton ${name} `));
      expect(r.out).toContain('--endpoint <url>');
      expect(r.out).toMatch(new RegExp(`examples:\\n  baton ${name} `));
    });

  it('a bad flag or argument is a UsageError naming it (exit 2), before any connection', async () => {
    await expect(run(get, ['pods'])).rejects.toThrow(
      new UsageError(
        'unknown resource "pods" (one of clusters, services, tasks, task-definitions, instances)',
      ),
    );
    await expect(run(get, ['services', '-o', 'xml'])).rejects.toThrow(
      '-o: must be table, wide, json or yaml (got "xml")',
    );
    await expect(run(apply, [])).rejects.toThrow('-f PATH: which file or folder to apply');
    await expect(run(events, ['--since', 'yesterday'])).rejects.toThrow(
      '--since: must be a duration such as 30s, 5m, 2h (got "yesterday")',
    );
    await expect(run(get, ['services', '--endpoint', 'ftp://x'])).rejects.toThrow(
      '--endpoint: "ftp://x" must be an http:// or https:// URL',
    );
    // diff reports every error itself with kubectl's exit 2.
    expect(await run(diff, ['-f', '/nonexistent/deploy'])).toMatchObject({
      code: 2,
      err: 'baton diff: /nonexistent/deploy: ENOENT',
    });
  });
});
