/**
 * A fleet model's view of the deployment's durable role state: every role name is suffixed
 * `.<model>`, so the collector of one model never reads or fences another's state.
 *
 * @module
 */

import type { Schema, StateKey, StateStore, StoredState } from "../../state/state_store.ts";

/** `inner` seen by the roles of fleet model `model`; closing it leaves `inner` open. */
export class ModelStateStore implements StateStore {
  readonly #inner: StateStore;
  readonly #model: string;

  /** The roles of `model` keep their state in `inner`, apart from other models'. */
  constructor(inner: StateStore, model: string) {
    this.#inner = inner;
    this.#model = model;
  }

  /** The stored value of the model's `key`. */
  get<T>(key: StateKey, schema: Schema<T>): Promise<StoredState<T> | undefined> {
    return this.#inner.get(this.#keyOf(key), schema);
  }

  /** Stores the model's `key` if its revision is still `expectedRevision`. */
  put<T>(
    key: StateKey,
    value: T,
    expectedRevision: number,
    schema: Schema<T>,
  ): Promise<number | undefined> {
    return this.#inner.put(this.#keyOf(key), value, expectedRevision, schema);
  }

  /** Deletes the model's `key`. */
  delete(key: StateKey, expectedRevision?: number): Promise<boolean> {
    return this.#inner.delete(this.#keyOf(key), expectedRevision);
  }

  /** The deployment's store stays open: its owner closes it. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  #keyOf(key: StateKey): StateKey {
    return { role: `${key.role}.${this.#model}`, name: key.name };
  }
}
