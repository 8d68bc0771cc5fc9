#!/usr/bin/env node
import { agent } from './agent.js';
import { serve } from './serve.js';
import { UsageError } from './usage-error.js';

/** `baton <command>`: each command is a function from its arguments to an exit code. */
type Command = (argv: readonly string[]) => Promise<number>;

const io = {
  env: process.env,
  stdout: (line: string) => process.stdout.write(`${line}\n`),
  stderr: (line: string) => process.stderr.write(`${line}\n`),
};

const commands: Readonly<Record<string, { readonly summary: string; readonly run: Command }>> = {
  serve: {
    summary: "run Baton and AWS's API for it (ECS, ELBv2, Application Auto Scaling)",
    run: (argv) => serve({ ...io, argv }),
  },
  agent: {
    summary: "run this host's task agent, joined to its cluster through etcd (ECS's container agent)",
    run: (argv) => agent({ ...io, argv }),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return `usage: baton <command> [options]\n\ncommands:\n${Object.entries(commands)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join('\n')}\n\nbaton <command> --help for its options.`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`baton: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`baton ${name}: ${error.message}`);
      return 2;
    }
    io.stderr(`baton ${name}: ${(error as Error).message}`);
    return 1;
  }
}

// Exit once the command is done, even if a library left a handle open.
process.exit(await main(process.argv.slice(2)));
