import { describe, expect, it } from 'vitest';
import {
  type Descriptor,
  engineInfoPlatform,
  hostPlatform,
  normalizePlatform,
  parsePlatform,
  selectPlatform,
} from '../src/index.js';

const entry = (architecture: string, variant?: string, os = 'linux'): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${architecture}${variant ?? ''}${os}`.padEnd(71, '0') as Descriptor['digest'],
  size: 1,
  platform: { os, architecture, ...(variant ? { variant } : {}) },
});

describe('platforms', () => {
  it('normalises uname and Node spellings', () => {
    expect(normalizePlatform({ os: 'Linux', architecture: 'x86_64' })).toEqual({
      os: 'linux',
      architecture: 'amd64',
    });
    expect(normalizePlatform({ os: 'linux', architecture: 'aarch64' })).toEqual({
      os: 'linux',
      architecture: 'arm64',
    });
    expect(normalizePlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' })).toEqual({
      os: 'linux',
      architecture: 'arm64',
    });
    expect(normalizePlatform({ os: 'linux', architecture: 'armv7l' })).toEqual({
      os: 'linux',
      architecture: 'arm',
      variant: 'v7',
    });
    expect(normalizePlatform({ os: 'win32', architecture: 'x64' })).toEqual({
      os: 'windows',
      architecture: 'amd64',
    });
    expect(engineInfoPlatform({ OSType: 'linux', Architecture: 'x86_64' })).toEqual({
      os: 'linux',
      architecture: 'amd64',
    });
    expect(parsePlatform('linux/arm/v6')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(parsePlatform('linux')).toBeUndefined();
    expect(hostPlatform().os).toBe(process.platform === 'win32' ? 'windows' : process.platform);
  });

  it('picks the exact match, then a compatible arm variant, skipping attestations', () => {
    const index = [
      entry('unknown', undefined, 'unknown'),
      entry('amd64'),
      entry('arm64', 'v8'),
      entry('arm', 'v6'),
      entry('arm', 'v7'),
    ];
    expect(selectPlatform(index, { os: 'linux', architecture: 'amd64' })?.platform?.architecture).toBe(
      'amd64',
    );
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm64' })?.platform?.architecture).toBe(
      'arm64',
    );
    expect(
      selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' })?.platform?.variant,
    ).toBe('v7');
    expect(
      selectPlatform(index.slice(0, 4), { os: 'linux', architecture: 'arm', variant: 'v7' })?.platform
        ?.variant,
    ).toBe('v6');
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v5' })).toBeUndefined();
    expect(selectPlatform(index, { os: 'windows', architecture: 'amd64' })).toBeUndefined();
    expect(
      selectPlatform([entry('unknown', undefined, 'unknown')], { os: 'unknown', architecture: 'unknown' }),
    ).toBeUndefined();
  });
});
