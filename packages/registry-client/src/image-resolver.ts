import type { PullSpec, ReferenceInput, RegistryClient } from './client.js';
import { formatReference } from './reference.js';

export interface ImageResolverOptions {
  /** How long a pin lives (default 24 h): a long deployment still re-resolves eventually if never released. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * Pins image tags to digests once per scope (a deployment), as ECS does: the first task of a
 * deployment resolves `nginx:1.25`, every later task of that deployment gets the same digest even
 * if the tag moves meanwhile; a new deployment (a new scope) resolves again. Concurrent callers
 * share one lookup; failures are not remembered.
 */
export class ImageResolver {
  private readonly pins = new Map<string, { spec: Promise<PullSpec>; at: number }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: RegistryClient,
    options: ImageResolverOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.now = options.now ?? Date.now;
  }

  /** The pull spec for `image` within `scope` (e.g. a deployment id or task definition ARN). */
  prepare(image: ReferenceInput, scope = ''): Promise<PullSpec> {
    const key = `${scope}\u0000${typeof image === 'string' ? image : formatReference(image)}`;
    const now = this.now();
    const pin = this.pins.get(key);
    if (pin && now - pin.at < this.ttlMs) return pin.spec;
    const spec = this.client.promises.preparePull(image);
    const entry = { spec, at: now };
    this.pins.set(key, entry);
    spec.catch(() => {
      if (this.pins.get(key) === entry) this.pins.delete(key);
    });
    return spec;
  }

  /** Forgets a scope's pins (the deployment finished or was replaced). */
  release(scope: string): void {
    for (const k of this.pins.keys()) if (k.startsWith(`${scope}\u0000`)) this.pins.delete(k);
  }
}
