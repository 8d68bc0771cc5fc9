/**
 * The one test-support module for real-engine tests of every package: Baton's engines, the test
 * image, a Docker client, the check that fails (never skips) when an engine is missing, unique
 * cluster names, and `waitFor`. The runtime's integration harness and the controller's e2e and HA
 * harnesses re-export from here instead of keeping copies.
 */
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { dockerOptions } from '../src/index.js';

/**
 * Engines the tests use (scripts/docker-engine.sh starts them; `bash scripts/provision.sh docker`
 * starts 1 and 2). Override with BATON_DOCKER_HOST / BATON_DOCKER_HOST_2.
 */
export const engine1 = process.env.BATON_DOCKER_HOST ?? 'unix:///var/run/baton/docker.sock';
export const engine2 = process.env.BATON_DOCKER_HOST_2 ?? 'unix:///var/run/baton/docker-2.sock';
export const testImage = process.env.BATON_TEST_IMAGE ?? 'baton-test/busybox:1';

export function docker(endpoint: string): Docker {
  return new Docker({ ...dockerOptions(endpoint), timeout: 20_000 });
}

/** Fails (never skips) with what to do when an engine the tests need is not there. */
export async function requireEngine(endpoint: string): Promise<void> {
  const d = docker(endpoint);
  try {
    await d.ping();
  } catch (err) {
    throw new Error(
      `Docker engine ${endpoint} is not reachable (${(err as Error).message}). ` +
        "Start Baton's engines with `bash scripts/provision.sh docker` (as root).",
    );
  }
  try {
    await d.getImage(testImage).inspect();
  } catch {
    throw new Error(
      `engine ${endpoint} has no ${testImage}; run \`bash scripts/provision.sh docker\` (as root).`,
    );
  }
}

/** A cluster name of its own per test, so tests sharing an engine never see each other's containers. */
export function uniqueCluster(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/**
 * Probes until `probe` returns something (not undefined/false), or fails saying what it waited for
 * and the probe's last error. For state outside the process (an engine, a child process, a port):
 * what Baton itself changes is better awaited on its caches (`waitForCache`).
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
