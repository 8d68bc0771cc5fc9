import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const scripts = fileURLToPath(new URL('../../../../scripts/', import.meta.url));

/** Runs one of the project's scripts (as root); fails naming it and what it printed. */
export async function script(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  try {
    const { stdout } = await run('bash', [`${scripts}${name}`, ...args], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`scripts/${name} ${args.join(' ')} failed (needs root): ${e.stderr || e.message}`);
  }
}

/**
 * Starts engine N afresh (scripts/docker-engine.sh), serving TLS on `addrs` with the certificates in
 * `tlsDir` when given. Engines 5–8 are the multi-host tests' own: nobody else's containers are there.
 */
export async function freshEngine(
  n: number,
  tls?: { readonly dir: string; readonly addrs: readonly string[] },
) {
  await script('docker-engine.sh', ['destroy', String(n)]);
  await script(
    'docker-engine.sh',
    ['start', String(n)],
    tls ? { BATON_DOCKER_TLS_DIR: tls.dir, BATON_DOCKER_TLS_ADDRS: tls.addrs.join(',') } : {},
  );
  return `unix:///var/run/baton/docker-${n}.sock`;
}

export async function destroyEngine(n: number): Promise<void> {
  await script('docker-engine.sh', ['destroy', String(n)]);
}
