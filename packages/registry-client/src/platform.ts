import type { Descriptor, Platform } from './manifest.js';

/** The platform to pick from an index: os/architecture[/variant]. */
export interface PlatformSpec {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** Maps uname/Node/Go spellings (`x86_64`, `x64`, `aarch64`, `armhf`) to OCI's (`amd64`, `arm64`, `arm`). */
export function normalizePlatform(p: {
  os: string;
  architecture: string;
  variant?: string | undefined;
}): PlatformSpec {
  const os = p.os.toLowerCase() === 'win32' ? 'windows' : p.os.toLowerCase();
  let architecture = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase() || undefined;
  switch (architecture) {
    case 'x86_64':
    case 'x86-64':
    case 'x64':
      architecture = 'amd64';
      variant = variant === 'v1' ? undefined : variant;
      break;
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64';
      // v8 is arm64's only baseline; an absent variant means v8.
      variant = variant === 'v8' ? undefined : variant;
      break;
    case 'armhf':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'armv7l':
      architecture = 'arm';
      variant = 'v7';
      break;
    case 'armv6l':
      architecture = 'arm';
      variant = 'v6';
      break;
    case 'i386':
    case 'i686':
    case 'x86':
    case 'ia32':
      architecture = '386';
      break;
  }
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** The platform of this Node process (a stand-in for the engine's, when the caller does not give one). */
export function hostPlatform(): PlatformSpec {
  const arm = (process.config.variables as { arm_version?: string }).arm_version;
  return normalizePlatform({
    os: process.platform,
    architecture: process.arch,
    ...(process.arch === 'arm' && arm ? { variant: `v${arm}` } : {}),
  });
}

/** The platform of a Docker engine, from `docker info` (`OSType`, `Architecture` like `x86_64`). */
export const engineInfoPlatform = (info: { OSType?: string; Architecture?: string }): PlatformSpec =>
  normalizePlatform({ os: info.OSType ?? 'linux', architecture: info.Architecture ?? 'amd64' });

/** `linux/arm64/v8` → spec; also accepts `linux/amd64`. */
export function parsePlatform(s: string): PlatformSpec | undefined {
  const [os, architecture, variant, extra] = s.split('/');
  if (!os || !architecture || extra !== undefined) return undefined;
  return normalizePlatform({ os, architecture, ...(variant ? { variant } : {}) });
}

export const formatPlatform = (p: PlatformSpec): string =>
  `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;

/**
 * How well `candidate` suits `wanted`: 0 = no, higher = better. An exact variant beats a compatible
 * older one (an arm v7 engine runs v6 and v5 images, as containerd's matcher allows).
 */
export function platformScore(wanted: PlatformSpec, candidate: Platform): number {
  const c = normalizePlatform(candidate);
  const w = normalizePlatform(wanted);
  if (c.os !== w.os || c.architecture !== w.architecture) return 0;
  if (c.variant === w.variant) return 100;
  if (w.variant === undefined) return c.variant === undefined ? 100 : 50;
  if (c.variant === undefined) return 60;
  if (w.architecture === 'arm') {
    const wv = Number(w.variant.slice(1));
    const cv = Number(c.variant.slice(1));
    if (cv < wv) return 10 + cv;
  }
  return 0;
}

/** The best matching descriptor of an index, skipping attestations (`unknown/unknown`). */
export function selectPlatform(
  manifests: readonly Descriptor[],
  wanted: PlatformSpec,
): Descriptor | undefined {
  let best: Descriptor | undefined;
  let bestScore = 0;
  for (const m of manifests) {
    if (!m.platform || m.platform.os === 'unknown') continue;
    const s = platformScore(wanted, m.platform);
    if (s > bestScore) {
      best = m;
      bestScore = s;
    }
  }
  return best;
}
