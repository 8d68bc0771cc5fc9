import type Docker from 'dockerode';

/** A Baton-managed Docker network (an awsvpc subnet's stand-in). */
export interface NetworkSpec {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0);
}

function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 0xff).join('.');
}

/** A CIDR as its first address and size; undefined when it is not IPv4 `a.b.c.d/n`. */
function parseCidr(cidr: string): { readonly start: number; readonly size: number } | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const prefix = Number(m[2]);
  if (prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { start: ipv4ToInt(m[1] as string) - (ipv4ToInt(m[1] as string) % size), size };
}

/** The first host address of a subnet: where Docker puts the bridge's gateway by default. */
export function firstHost(cidr: string): string | undefined {
  const p = parseCidr(cidr);
  return p ? intToIpv4(p.start + 1) : undefined;
}

/**
 * The first /24 of `pool` (or the pool itself when it is smaller) that overlaps none of `used`:
 * each engine gets its own pool, so networks of engines on one host never share a route.
 */
export function nextSubnet(pool: string, used: readonly string[]): string | undefined {
  const p = parseCidr(pool);
  if (!p) throw new Error(`task network pool must be an IPv4 CIDR such as 172.30.0.0/16 (got ${pool})`);
  const block = Math.min(p.size, 256);
  const taken = used.flatMap((c) => parseCidr(c) ?? []);
  for (let start = p.start; start < p.start + p.size; start += block) {
    if (!taken.some((t) => start < t.start + t.size && t.start < start + block))
      return `${intToIpv4(start)}/${32 - Math.log2(block)}`;
  }
  return undefined;
}

/**
 * Creates the network unless the engine has one of that name. With a pool, its subnet is the pool's
 * first free block; without, the engine picks (fine for one engine per host). Two creates racing for
 * one name leave one network: Docker refuses the second (CheckDuplicate), which counts as done.
 */
export async function ensureNetwork(docker: Docker, spec: NetworkSpec, pool?: string): Promise<void> {
  const existing = await docker.listNetworks({ filters: { name: [spec.name] } });
  if (existing.some((n) => n.Name === spec.name)) return;
  let subnet: string | undefined;
  if (pool !== undefined) {
    const used = (await docker.listNetworks()).flatMap((n) =>
      (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? ''),
    );
    subnet = nextSubnet(pool, used);
    if (!subnet)
      throw Object.assign(new Error(`task network pool ${pool} has no free subnet`), { statusCode: 507 });
  }
  try {
    await docker.createNetwork({
      Name: spec.name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { ...spec.labels },
      ...(subnet
        ? { IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: firstHost(subnet) }] } }
        : {}),
    });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 409) throw err;
  }
}

/** Imports a root filesystem tarball as an image tagged `ref` (Docker's `import`). */
export async function importImage(docker: Docker, ref: string, tarball: Buffer): Promise<void> {
  const colon = ref.lastIndexOf(':');
  const [repo, tag] =
    colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
  const { Readable } = await import('node:stream');
  const stream = await docker.importImage(Readable.from([tarball]) as never, { repo, tag });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, output: unknown[]) => {
      const failed = (output ?? []).find((o) => typeof (o as { error?: unknown }).error === 'string') as
        | { error: string }
        | undefined;
      if (err) reject(err);
      else if (failed) reject(Object.assign(new Error(failed.error), { statusCode: 500 }));
      else resolve();
    });
  });
}

/** A network's first IPv4 subnet and gateway, as the engine reports them. */
export interface NetworkInfo {
  readonly subnet?: string;
  readonly gateway?: string;
}

/** The network's subnet and gateway; undefined when the engine has no network of that name. */
export async function networkInfo(docker: Docker, name: string): Promise<NetworkInfo | undefined> {
  try {
    const n = (await docker.getNetwork(name).inspect()) as {
      IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] };
    };
    const c = (n.IPAM?.Config ?? []).find((x) => x.Subnet?.includes('.'));
    // Docker leaves Gateway out of a network created with only a subnet; the bridge has the first address.
    const gateway = c?.Gateway?.split('/')[0] ?? (c?.Subnet ? firstHost(c.Subnet) : undefined);
    return { ...(c?.Subnet ? { subnet: c.Subnet } : {}), ...(gateway ? { gateway } : {}) };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}
