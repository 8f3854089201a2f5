/**
 * Which of a fixed list of keyed things (a fleet's models, an engine's lanes, a training pass's
 * requests) take an event key, remembered per key: selectors do not change, and a stream has far
 * fewer keys than events, so each key's selectors run once.
 *
 * @module
 */

import type { KeySelector } from "./model.ts";

/** The items of a fixed list that take each key, computed once per key. */
export class KeyRoutes<T> {
  readonly #items: readonly T[];
  readonly #selectorOf: (item: T) => KeySelector;
  readonly #byKey = new Map<string, readonly T[]>();

  /** Routes keys to `items`, each taking the keys `selectorOf(item)` takes. */
  constructor(items: readonly T[], selectorOf: (item: T) => KeySelector) {
    this.#items = items;
    this.#selectorOf = selectorOf;
  }

  /** The items whose selector takes `key`, in the list's order. */
  of(key: string): readonly T[] {
    let taking = this.#byKey.get(key);
    if (taking === undefined) {
      taking = this.#items.filter((item) => this.#selectorOf(item)(key));
      this.#byKey.set(key, taking);
    }
    return taking;
  }
}
