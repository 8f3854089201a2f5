/**
 * One queue of operations per key: an operation on a key starts once every earlier one on that
 * key settled, while operations on other keys run meanwhile. The bucket stores use it so appends,
 * closes and deletes of one bucket never interleave.
 *
 * @module
 */

/** Runs operations in order per key. */
export class SerialQueues<K> {
  readonly #tails = new Map<K, Promise<void>>();

  /** Runs `operation` after every earlier operation on `key` has settled. */
  run<T>(key: K, operation: () => Promise<T>): Promise<T> {
    const result = (this.#tails.get(key) ?? Promise.resolve()).then(operation);
    const settled = result.then(() => {}, () => {});
    this.#tails.set(key, settled);
    settled.then(() => {
      if (this.#tails.get(key) === settled) this.#tails.delete(key);
    });
    return result;
  }
}
