import { InvalidArgumentError } from '../errors.js';

/**
 * Where a store keeps everything in etcd, under its prefix P (one prefix per Baton cluster store):
 *
 *   P/meta                       created when the store is first opened; its create revision is the
 *                                store's base (store version = etcd revision − base)
 *   P/k/<Kind>/m                 the kind's marker: put by every commit that writes the kind, so its
 *                                mod revision is the kind's last change, and every such commit shows
 *                                up in a watch of P/k/<Kind>/ even when no object event matches
 *   P/k/<Kind>/o/<key>           one object: {"g":generation,"c":createdAt,"u":updatedAt,"o":object}
 *   P/i/<Kind>/<index>\0<value>  an index bucket's marker: put whenever an object enters, leaves or
 *                                changes within the bucket (exact list preconditions)
 *   P/s/<name>                   a sequence's value
 *   P/lock/<name>                leader-election keys, bound to etcd leases
 */
export class KeySpace {
  readonly root: string;

  constructor(prefix: string) {
    if (typeof prefix !== 'string' || prefix === '' || prefix.includes('\0')) {
      throw new InvalidArgumentError(
        `etcd store: prefix must be a non-empty string, got ${JSON.stringify(prefix)}`,
      );
    }
    this.root = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  }

  get meta(): Buffer {
    return utf8(`${this.root}/meta`);
  }

  /** Every key of this store: [start, end). */
  get all(): Range {
    return prefixRange(`${this.root}/`);
  }

  /** Objects and marker of a kind: what a watch of the kind covers. */
  kindRange(kind: string): Range {
    return prefixRange(`${this.root}/k/${kind}/`);
  }

  kindMarker(kind: string): Buffer {
    return utf8(`${this.root}/k/${kind}/m`);
  }

  objectPrefix(kind: string): string {
    return `${this.root}/k/${kind}/o/`;
  }

  object(kind: string, key: string): Buffer {
    return utf8(this.objectPrefix(kind) + key);
  }

  /** Objects of a kind whose keys start with `keyPrefix` (all of them for ''). */
  objectRange(kind: string, keyPrefix = ''): Range {
    return prefixRange(this.objectPrefix(kind) + keyPrefix);
  }

  /** The object key of an etcd key inside objectPrefix(kind), or undefined for the marker. */
  objectKeyOf(kind: string, etcdKey: Buffer): string | undefined {
    const p = this.objectPrefix(kind);
    const s = etcdKey.toString('utf8');
    return s.startsWith(p) ? s.slice(p.length) : undefined;
  }

  indexMarker(kind: string, index: string, value: string): Buffer {
    return utf8(`${this.root}/i/${kind}/${encodeURIComponent(index)}\0${value}`);
  }

  sequence(name: string): Buffer {
    return utf8(`${this.root}/s/${name}`);
  }

  lock(name: string): Buffer {
    return utf8(`${this.root}/lock/${name}`);
  }
}

export interface Range {
  readonly key: Buffer;
  readonly end: Buffer;
}

export const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** [prefix, the smallest key greater than every key with the prefix): etcd's prefix range. */
export function prefixRange(prefix: string): Range {
  const key = utf8(prefix);
  const end = Buffer.from(key);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return { key, end: end.subarray(0, i + 1) };
    }
  }
  return { key, end: Buffer.from([0]) }; // all 0xff: every key ≥ prefix
}
