import { connect, connectionHelp, parseVerb, type VerbIo } from './client-args.js';
import { loadDocuments } from './documents.js';
import { readLive } from './live.js';
import { plan } from './plan.js';
import { planText } from './plan-text.js';
import { UsageError } from './usage-error.js';

export const diffUsage = `usage: baton diff -f PATH [options]

What \`baton apply -f PATH\` would do, resource by resource, without changing anything.
Exit status (kubectl diff's): 0 nothing would change, 1 something would, 2 an error.

  -f, --filename <path>  a file or a folder of .json/.yaml/.yml documents (repeatable)
  --prune                also list services apply --prune would delete

${connectionHelp}

examples:
  baton diff -f services/
  baton diff -f web.yaml --cluster prod && echo "prod is up to date"`;

export async function diff(io: VerbIo): Promise<number> {
  try {
    const { values, positionals } = parseVerb(io.argv, {
      filename: { type: 'string', short: 'f', multiple: true },
      prune: { type: 'boolean' },
    });
    if (values.help) {
      io.stdout(diffUsage);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (use -f PATH)`);
    if (!values.filename?.length) throw new UsageError('-f PATH: which file or folder to compare');
    const { declared, errors } = await loadDocuments(values.filename);
    if (errors.length > 0) {
      for (const e of errors) io.stderr(e);
      return 2;
    }
    const { client, cluster } = await connect(values, io.env);
    const p = plan(declared, await readLive(client, declared, cluster), {
      cluster,
      prune: values.prune === true,
    });
    if (p.errors.length > 0) {
      for (const e of p.errors) io.stderr(e);
      return 2;
    }
    for (const line of await planText(p)) io.stdout(line);
    return p.changes.length > 0 ? 1 : 0;
  } catch (error) {
    const e = error as Error & { code?: string };
    io.stderr(`baton diff: ${e.message}${e.name === 'ApiError' ? ` (${e.code})` : ''}`);
    return 2;
  }
}
