/**
 * Role state in this process's memory: for roles that share one process, and for tests. It
 * lives as long as the store, so it survives a role's restart but not the process.
 *
 * @module
 */

import { assertRevision, decodeState, encodeState, statePath } from "./state_keys.ts";
import type { Schema, StateKey, StateStore, StoredState } from "./state_store.ts";

/** A StateStore held in memory; revisions count writes across the store. */
export class InProcessStateStore implements StateStore {
  readonly #deployment: string;
  readonly #values = new Map<string, { text: string; revision: number }>();
  #revision = 0;
  #closed = false;

  /** State of the deployment named `deployment`. */
  constructor(deployment: string) {
    statePath(deployment, { role: "check", name: "check" });
    this.#deployment = deployment;
  }

  /** The stored value, checked by `schema`. */
  get<T>(key: StateKey, schema: Schema<T>): Promise<StoredState<T> | undefined> {
    return Promise.try(() => {
      const path = this.#path(key);
      const stored = this.#values.get(path);
      if (stored === undefined) return undefined;
      return { value: decodeState(path, stored.text, schema), revision: stored.revision };
    });
  }

  /** Compare-and-set on the revision read. */
  put<T>(
    key: StateKey,
    value: T,
    expectedRevision: number,
    schema: Schema<T>,
  ): Promise<number | undefined> {
    return Promise.try(() => {
      const path = this.#path(key);
      assertRevision(expectedRevision);
      const text = encodeState(path, value, schema);
      if ((this.#values.get(path)?.revision ?? 0) !== expectedRevision) return undefined;
      const revision = ++this.#revision;
      this.#values.set(path, { text, revision });
      return revision;
    });
  }

  /** Deletes the value if it is still at `expectedRevision` (when given). */
  delete(key: StateKey, expectedRevision?: number): Promise<boolean> {
    return Promise.try(() => {
      const path = this.#path(key);
      if (expectedRevision !== undefined) assertRevision(expectedRevision);
      const stored = this.#values.get(path);
      if (stored === undefined) return false;
      if (expectedRevision !== undefined && stored.revision !== expectedRevision) return false;
      this.#values.delete(path);
      return true;
    });
  }

  /** Later calls reject. */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #path(key: StateKey): string {
    if (this.#closed) throw new Error("the in-process state store is closed");
    return statePath(this.#deployment, key);
  }
}
