import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium (scripts/services/chromium.sh); never a downloaded browser. */
export const chromiumPath = process.env.BATON_CHROMIUM ?? '/usr/bin/chromium';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** Where browser tests leave their screenshots (gitignored). */
export const artifactsDir = join(root, 'test-artifacts', 'console');

/** Fails (never skips) with what to do when the browser is missing. */
export function requireChromium(): void {
  if (!existsSync(chromiumPath))
    throw new Error(
      `Chromium is not installed at ${chromiumPath}: the console's browser tests need Debian's chromium. ` +
        'Install it with `bash scripts/provision.sh chromium` (as root).',
    );
}

/** Builds the console's page (packages/console-ui/dist), so the test sees the current source. */
export async function buildConsoleUi(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(root, 'packages/console-ui/build.mjs')], {
    timeout: 60_000,
  });
}

/** A headless Chromium with a fresh profile; `close()` ends it and removes the profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  requireChromium();
  mkdirSync(artifactsDir, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'baton-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
