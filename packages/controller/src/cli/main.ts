#!/usr/bin/env node
import { UsageError } from './usage-error.js';

/** What a command runs with. */
export interface CommandIo {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly tty?: boolean;
}

/** `baton <command>`: each command is a function from its arguments to an exit code. */
type Command = (io: CommandIo) => Promise<number>;

const io = {
  env: process.env,
  stdout: (line: string) => process.stdout.write(`${line}\n`),
  stderr: (line: string) => process.stderr.write(`${line}\n`),
  tty: process.stdout.isTTY === true,
};

// Each command's module loads only when it runs: a client verb never loads the controller, and
// `baton serve` never loads the client.
const commands: Readonly<Record<string, { readonly summary: string; readonly run: Command }>> = {
  serve: {
    summary: "run Baton and AWS's API for it (ECS, ELBv2, Application Auto Scaling)",
    run: async (c) => (await import('./serve.js')).serve(c),
  },
  apply: {
    summary: 'make the cluster match a file or folder of ECS JSON/YAML',
    run: async (c) => (await import('./apply.js')).apply(c),
  },
  diff: {
    summary: 'show what apply would change (exit 0 none, 1 some, 2 error)',
    run: async (c) => (await import('./diff.js')).diff(c),
  },
  get: {
    summary: 'list clusters, services, tasks, task-definitions or instances',
    run: async (c) => (await import('./get.js')).get(c),
  },
  describe: {
    summary: 'a service in full: deployments, tasks, placement, targets, scaling, events',
    run: async (c) => (await import('./describe.js')).describe(c),
  },
  events: {
    summary: "services' events, optionally followed (-f)",
    run: async (c) => (await import('./events.js')).events(c),
  },
  logs: {
    summary: "a task's or service's container logs (awslogs), optionally followed (-f)",
    run: async (c) => (await import('./logs.js')).logs(c),
  },
  agent: {
    summary: "run this host's task agent, joined to its cluster through etcd (ECS's container agent)",
    run: async (c) => (await import('./agent.js')).agent(c),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return `usage: baton <command> [options]\n\ncommands:\n${Object.entries(commands)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join('\n')}\n\nbaton <command> --help for its options and examples.`;
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
    return await command.run({ ...io, argv: rest });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`baton ${name}: ${error.message}`);
      return 2;
    }
    // An error the endpoint answered with: its message as the server wrote it, then its code.
    const e = error as Error & { code?: string };
    io.stderr(
      e.name === 'ApiError'
        ? `baton ${name}: ${e.message || e.code} (${e.code})`
        : `baton ${name}: ${e.message}`,
    );
    return 1;
  }
}

// Exit once the command is done, even if a library left a handle open.
process.exit(await main(process.argv.slice(2)));
