import type { Etcd3, IDuplexStream, ILeaseKeepAliveRequest, ILeaseKeepAliveResponse } from 'etcd3';
import { EtcdUnavailableError } from './errors.js';
import type { WriteFence } from './fence.js';

/** Who holds a lock, as etcd has it. */
export interface LockRecord {
  /** The identity the holder acquired it with. */
  readonly holder: string;
  /** The lock key's creation revision: one per acquisition, the fence's token. */
  readonly createRevision: string;
  /** The etcd lease the key is bound to. */
  readonly lease: string;
}

export interface AcquireResult {
  readonly acquired: boolean;
  /** The holder after the attempt (ours when acquired); undefined if the lock is free. */
  readonly record: LockRecord | undefined;
}

interface PendingRenewal {
  readonly lease: string;
  readonly resolve: (ttl: number) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * A lock on etcd leases, the primitive leader election is built on: a key that exists only while
 * its holder keeps its lease alive. Whoever creates the key (compare create_revision = 0) holds it;
 * when the holder stops renewing, etcd deletes the key at the lease's expiry and the next
 * `tryAcquire` wins it at a new creation revision — which is what fences the old holder's writes
 * (see `fence`). Timing policy (when to renew, when to give up) is the caller's: see the
 * controller's LeaderElector.
 */
export class EtcdLeaseLock {
  readonly key: string;
  private keepAlive: Promise<IDuplexStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse>> | undefined;
  private pending: PendingRenewal[] = [];

  constructor(
    private readonly client: Etcd3,
    private readonly keyBytes: Buffer,
    readonly name: string,
    private readonly endpoints: readonly string[],
  ) {
    this.key = keyBytes.toString('utf8');
  }

  /** A new lease of `ttlSeconds` (etcd counts whole seconds, at least its minimum TTL). */
  async grant(ttlSeconds: number): Promise<string> {
    const res = await this.call('granting a lease', () =>
      this.client.leaseClient.leaseGrant({ TTL: Math.max(1, Math.ceil(ttlSeconds)) }),
    );
    return res.ID;
  }

  /** Renews the lease once: resolves its remaining TTL in seconds, ≤ 0 when etcd no longer has it. */
  async renew(lease: string, timeoutMs: number): Promise<number> {
    const stream = await this.call('renewing the lease', () => this.keepAliveStream());
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = this.pending.filter((p) => p !== entry);
        this.resetKeepAlive();
        reject(
          new EtcdUnavailableError(
            this.endpoints,
            'renewing the lease',
            false,
            `no answer in ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const entry: PendingRenewal = {
        lease,
        resolve: (ttl) => {
          clearTimeout(timer);
          resolve(ttl);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.pending.push(entry);
      try {
        stream.write({ ID: lease });
      } catch (err) {
        this.failPending(err);
      }
    });
  }

  /** Takes the lock with `lease` if it is free (or already ours); resolves who holds it after. */
  async tryAcquire(lease: string, identity: string): Promise<AcquireResult> {
    const key = this.keyBytes;
    const res = await this.call('acquiring the lock', () =>
      this.client.kv.txn({
        compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [
          { request_put: { key, value: Buffer.from(identity, 'utf8'), lease } },
          { request_range: { key } },
        ],
        failure: [{ request_range: { key } }],
      }),
    );
    const kv = res.responses[res.succeeded ? 1 : 0]?.response_range?.kvs[0];
    const record = kv
      ? { holder: kv.value.toString('utf8'), createRevision: kv.create_revision, lease: String(kv.lease) }
      : undefined;
    return { acquired: record?.lease === lease, record };
  }

  /** Who holds the lock now (undefined: nobody). */
  async holder(): Promise<LockRecord | undefined> {
    const res = await this.call('reading the lock', () => this.client.kv.range({ key: this.keyBytes }));
    const kv = res.kvs[0];
    return kv
      ? { holder: kv.value.toString('utf8'), createRevision: kv.create_revision, lease: String(kv.lease) }
      : undefined;
  }

  /** Revokes the lease: etcd deletes the key at once if it was held with it, so a successor need not wait. */
  async release(lease: string): Promise<void> {
    await this.call('revoking the lease', () => this.client.leaseClient.leaseRevoke({ ID: lease })).catch(
      (err) => {
        // Already expired: nothing left to release.
        if (!/lease not found/i.test(String(err))) throw err;
      },
    );
  }

  /** The fence for writes made while holding `record` (see withFence). */
  fence(record: LockRecord): WriteFence {
    return {
      key: this.key,
      createRevision: record.createRevision,
      description: `the lock "${this.name}" held by ${record.holder} (acquired at etcd revision ${record.createRevision})`,
    };
  }

  /** Closes the keep-alive stream (the lease itself is left to expire or be released). */
  close(): void {
    this.failPending(new Error('lock closed'));
    this.resetKeepAlive();
  }

  private keepAliveStream() {
    if (!this.keepAlive) {
      const opening = this.client.leaseClient.leaseKeepAlive();
      this.keepAlive = opening;
      opening.then(
        (s) => {
          s.on('data', (res) => {
            const i = this.pending.findIndex((p) => p.lease === String(res.ID));
            if (i >= 0) this.pending.splice(i, 1)[0]?.resolve(Number(res.TTL));
          });
          s.on('error', (err) => this.streamBroken(opening, err));
          s.on('end', () => this.streamBroken(opening, new Error('keep-alive stream ended')));
        },
        (err) => this.streamBroken(opening, err),
      );
    }
    return this.keepAlive;
  }

  private streamBroken(stream: Promise<unknown>, err: unknown): void {
    if (this.keepAlive !== stream) return;
    this.keepAlive = undefined;
    this.failPending(new EtcdUnavailableError(this.endpoints, 'renewing the lease', false, err));
  }

  private resetKeepAlive(): void {
    const s = this.keepAlive;
    this.keepAlive = undefined;
    void s?.then(
      (stream) => {
        try {
          stream.cancel();
        } catch {
          // already gone
        }
      },
      () => {},
    );
  }

  private failPending(err: unknown): void {
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) p.reject(err);
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof EtcdUnavailableError) throw err;
      throw new EtcdUnavailableError(this.endpoints, operation, false, err);
    }
  }
}
