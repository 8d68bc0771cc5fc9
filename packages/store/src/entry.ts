/**
 * An object as the store holds it, with store-managed metadata beside it (never inside it, so
 * the object stays exactly what the user wrote). Entries and their objects are deeply frozen and
 * safe to share between readers.
 */
export interface Entry<T> {
  readonly kind: string;
  readonly key: string;
  readonly object: T;
  /** The store version of the commit that last changed this object (etcd's mod_revision). */
  readonly version: number;
  /** The store version of the commit that created it (etcd's create_revision). */
  readonly createVersion: number;
  /** Starts at 1; bumps only when the kind's `spec(object)` changes. */
  readonly generation: number;
  /** Epoch ms from the store's clock at creation. */
  readonly createdAt: number;
  /** Epoch ms from the store's clock at the last change. */
  readonly updatedAt: number;
}
