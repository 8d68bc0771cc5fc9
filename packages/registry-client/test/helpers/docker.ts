import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { promisify } from 'node:util';

/** Engine 1 of scripts/docker-engine.sh, with the busybox-based test image. */
export const ENGINE_SOCKET = process.env.BATON_DOCKER_SOCKET ?? '/var/run/baton/docker.sock';
export const TEST_IMAGE = process.env.BATON_TEST_IMAGE ?? 'baton-test/busybox:1';
const CLI = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

/** Runs the docker CLI against engine 1 (with a private client config dir when given). */
export async function docker(
  args: readonly string[],
  options: { config?: string; input?: string } = {},
): Promise<string> {
  const argv = [
    ...(options.config ? ['--config', options.config] : []),
    '-H',
    `unix://${ENGINE_SOCKET}`,
    ...args,
  ];
  try {
    const p = promisify(execFile)(CLI, argv, { timeout: 60_000 });
    if (options.input !== undefined) {
      p.child.stdin?.end(options.input);
    }
    const { stdout } = await p;
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`docker ${args[0]} failed: ${err.stderr || err.message}`);
  }
}

/** Fails (never skips) when engine 1 or its test image is missing. */
export async function requireEngine(): Promise<void> {
  try {
    await docker(['image', 'inspect', TEST_IMAGE]);
  } catch (e) {
    throw new Error(
      `Docker engine 1 (${ENGINE_SOCKET}) with ${TEST_IMAGE} is needed to push test images: start it with ` +
        `\`bash scripts/provision.sh docker\` (${(e as Error).message.slice(0, 200)})`,
    );
  }
}

/**
 * POST /images/create on engine 1 with an X-Registry-Auth header: what the runtime does through
 * dockerode's `pull(image, { authconfig })`. Resolves with the engine's progress messages.
 */
export function enginePull(image: string, registryAuth: string | undefined): Promise<string[]> {
  const at = image.indexOf('@');
  const query = new URLSearchParams(
    at === -1 ? { fromImage: image } : { fromImage: image.slice(0, at), tag: image.slice(at + 1) },
  );
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: ENGINE_SOCKET,
        method: 'POST',
        path: `/images/create?${query}`,
        headers: registryAuth ? { 'X-Registry-Auth': registryAuth } : {},
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => {
          const lines = body
            .split('\n')
            .filter((l) => l.trim() !== '')
            .map((l) => JSON.parse(l) as { status?: string; error?: string; message?: string });
          const failed = lines.find((l) => l.error) ?? (res.statusCode !== 200 ? { error: body } : undefined);
          if (failed) reject(new Error(`engine pull of ${image} failed: ${failed.error ?? failed.message}`));
          else resolve(lines.map((l) => l.status ?? ''));
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
