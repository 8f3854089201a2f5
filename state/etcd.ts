/**
 * Role state in etcd, shared by every process of a deployment: each value is one key, and its
 * revision is etcd's mod revision, so compare-and-set is one etcd transaction. Calls have
 * deadlines and bounded retries (`registry/etcd_client.ts`).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { Etcd3, ICompare } from "etcd3";
import { etcdClient, type EtcdClientOptions } from "../registry/etcd_client.ts";
import { assertRevision, decodeState, encodeState, statePath } from "./state_keys.ts";
import type { Schema, StateKey, StateStore, StoredState } from "./state_store.ts";

/** Where etcd is, and the deployment whose state this is. */
export interface EtcdStateStoreOptions extends EtcdClientOptions {
  /** Names the deployment; its state lives under `<deployment>/state/`. */
  deployment: string;
}

/** A StateStore kept in etcd. */
export class EtcdStateStore implements StateStore {
  readonly #client: Etcd3;
  readonly #deployment: string;

  /** Connects lazily. */
  constructor(options: EtcdStateStoreOptions) {
    statePath(options.deployment, { role: "check", name: "check" });
    this.#client = etcdClient(options);
    this.#deployment = options.deployment;
  }

  /** The stored value, checked by `schema`. */
  async get<T>(key: StateKey, schema: Schema<T>): Promise<StoredState<T> | undefined> {
    const path = statePath(this.#deployment, key);
    const [kv] = (await this.#client.get(path).exec()).kvs;
    if (kv === undefined) return undefined;
    return {
      value: decodeState(path, kv.value.toString(), schema),
      revision: Number(kv.mod_revision),
    };
  }

  /** Compare-and-set on the revision read, as one etcd transaction. */
  async put<T>(
    key: StateKey,
    value: T,
    expectedRevision: number,
    schema: Schema<T>,
  ): Promise<number | undefined> {
    const path = statePath(this.#deployment, key);
    assertRevision(expectedRevision);
    const text = encodeState(path, value, schema);
    const response = await this.#client.kv.txn({
      compare: [atRevision(path, expectedRevision)],
      success: [{ request_put: { key: Buffer.from(path), value: Buffer.from(text) } }],
      failure: [],
    });
    return response.succeeded ? Number(response.header.revision) : undefined;
  }

  /** Deletes the value if it is still at `expectedRevision` (when given). */
  async delete(key: StateKey, expectedRevision?: number): Promise<boolean> {
    const path = statePath(this.#deployment, key);
    if (expectedRevision !== undefined) assertRevision(expectedRevision);
    const response = await this.#client.kv.txn({
      compare: expectedRevision === undefined ? [] : [atRevision(path, expectedRevision)],
      success: [{ request_delete_range: { key: Buffer.from(path) } }],
      failure: [],
    });
    const deleted = response.responses[0]?.response_delete_range?.deleted ?? 0;
    return response.succeeded && Number(deleted) > 0;
  }

  /** Disconnects. */
  close(): Promise<void> {
    this.#client.close();
    return Promise.resolve();
  }
}

/** The key is at `revision` (mod revision), or absent when `revision` is 0. */
function atRevision(path: string, revision: number): ICompare {
  return revision === 0
    ? { key: Buffer.from(path), result: "Equal", target: "Create", create_revision: 0 }
    : { key: Buffer.from(path), result: "Equal", target: "Mod", mod_revision: revision };
}
