/**
 * The keys of the in-process registry in order, so that listing a prefix costs the keys under
 * it rather than every key (a fleet of a thousand models keeps tens of thousands).
 *
 * @module
 */

/** A sorted set of strings, listed by prefix. */
export class SortedKeys {
  readonly #keys: string[] = [];

  /** Adds `key` (no-op when present). */
  add(key: string): void {
    const at = this.#lowerBound(key);
    if (this.#keys[at] !== key) this.#keys.splice(at, 0, key);
  }

  /** Removes `key` (no-op when absent). */
  delete(key: string): void {
    const at = this.#lowerBound(key);
    if (this.#keys[at] === key) this.#keys.splice(at, 1);
  }

  /** The keys starting with `prefix`, in order. */
  withPrefix(prefix: string): string[] {
    const found: string[] = [];
    for (let at = this.#lowerBound(prefix); at < this.#keys.length; at++) {
      const key = this.#keys[at];
      if (!key.startsWith(prefix)) break;
      found.push(key);
    }
    return found;
  }

  /** The index of the first key not less than `key`. */
  #lowerBound(key: string): number {
    let low = 0;
    let high = this.#keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#keys[middle] < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
