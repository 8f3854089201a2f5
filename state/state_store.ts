/**
 * The port for durable role state: what a role must remember across a restart or a hand-over to
 * another instance (a replayer's progress, a collector's open bucket, an optimiser's run), kept
 * outside the process. Values are JSON, checked by the caller's schema on the way in and out;
 * writes are compare-and-set on the revision read, so two instances never overwrite each other
 * unknowingly. Keys are namespaced per deployment and role. Implementations: `in_process.ts`
 * and `etcd.ts`.
 *
 * @module
 */

/** What checks a value: a zod schema fits, as does anything with such a `parse`. */
export interface Schema<T> {
  /** The value as `T`; throws when it does not fit. */
  parse(value: unknown): T;
}

/** Which state: a role's named piece (letters, digits, '.', '_', '-'). */
export interface StateKey {
  role: string;
  name: string;
}

/** A stored value with the revision that wrote it (> 0). */
export interface StoredState<T> {
  value: T;
  revision: number;
}

/** Durable, revisioned role state of one deployment. */
export interface StateStore {
  /** The stored value, checked by `schema`; undefined when none is stored. */
  get<T>(key: StateKey, schema: Schema<T>): Promise<StoredState<T> | undefined>;
  /**
   * Stores `value` (checked by `schema` first) if the stored revision is still `expectedRevision`
   * (0: nothing stored); the new revision, or undefined (nothing written) when it is not.
   */
  put<T>(
    key: StateKey,
    value: T,
    expectedRevision: number,
    schema: Schema<T>,
  ): Promise<number | undefined>;
  /**
   * Deletes the value, if `expectedRevision` (when given) is still the stored one; whether a
   * value was deleted.
   */
  delete(key: StateKey, expectedRevision?: number): Promise<boolean>;
  /** Releases the connection; later calls reject. */
  close(): Promise<void>;
}
