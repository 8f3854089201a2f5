/**
 * The registry in etcd (npm:etcd3), shared by every process of a deployment.
 *
 * Commits are etcd transactions comparing each guarded key's mod revision (create revision 0 for
 * an absent key). Elections use etcd3's election API: a candidate's key lives on a lease that the
 * client keeps alive, so a process that dies loses leadership when the lease expires.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { type Campaign, Etcd3, type ICompare, type IKeyValue, type IRequestOp } from "etcd3";
import type { Commit, Leadership, Registry, RegistryEntry } from "./registry.ts";

/** Where etcd is and how long a leader outlives its process. */
export interface EtcdRegistryOptions {
  /** etcd endpoints, e.g. `["http://127.0.0.1:2379"]`. */
  endpoints: string[];
  /**
   * Lease of an election candidate, in whole seconds: how long a dead leader blocks the next
   * one. A live leader whose client cannot reach etcd learns it lost within twice this.
   * Default: 10.
   */
  leaseTtlSeconds?: number;
}

/** A Registry kept in etcd. */
export class EtcdRegistry implements Registry {
  readonly #client: Etcd3;
  readonly #leaseTtlSeconds: number;
  /** Resigns each campaign this registry still runs, on close. */
  readonly #resigners = new Set<() => Promise<void>>();

  /** Connects lazily to etcd at the given endpoints. */
  constructor(options: EtcdRegistryOptions) {
    const { endpoints, leaseTtlSeconds = 10 } = options;
    if (endpoints.length === 0) {
      throw new RangeError(`endpoints must name at least one etcd endpoint: current value is []`);
    }
    if (!Number.isInteger(leaseTtlSeconds) || leaseTtlSeconds < 1) {
      throw new RangeError(
        `leaseTtlSeconds must be an integer >= 1: current value is ${leaseTtlSeconds}`,
      );
    }
    this.#client = new Etcd3({ hosts: endpoints });
    this.#leaseTtlSeconds = leaseTtlSeconds;
  }

  /** The entry at `key`, if any. */
  async get(key: string): Promise<RegistryEntry | undefined> {
    const response = await this.#client.get(key).exec();
    const [kv] = response.kvs;
    return kv && entryOf(kv);
  }

  /** Every entry whose key starts with `prefix`, sorted by key. */
  async list(prefix: string): Promise<RegistryEntry[]> {
    const response = await this.#client.getAll().prefix(prefix).sort("Key", "Ascend").exec();
    return response.kvs.map(entryOf);
  }

  /** Applies the commit as one etcd transaction; false (and nothing written) if a guard failed. */
  async commit(change: Commit): Promise<boolean> {
    const { guards = [], puts = [], deletes = [] } = change;
    const compare = guards.map(({ key, revision }): ICompare =>
      revision === 0
        ? { key: Buffer.from(key), result: "Equal", target: "Create", create_revision: 0 }
        : { key: Buffer.from(key), result: "Equal", target: "Mod", mod_revision: revision }
    );
    const success: IRequestOp[] = [
      ...puts.map(({ key, value }) => ({
        request_put: { key: Buffer.from(key), value: Buffer.from(value) },
      })),
      ...deletes.map((key) => ({ request_delete_range: { key: Buffer.from(key) } })),
    ];
    const response = await this.#client.kv.txn({ compare, success, failure: [] });
    return response.succeeded;
  }

  /** Waits until this candidate leads `election`, or the signal aborts. */
  async campaign(election: string, candidate: string, signal?: AbortSignal): Promise<Leadership> {
    signal?.throwIfAborted();
    const campaign = this.#client.election(election, this.#leaseTtlSeconds).campaign(candidate);
    const lost = new AbortController();
    campaign.on("error", (error) => {
      lost.abort(new Error(`${candidate} lost the lead of ${election}: ${error.message}`));
    });
    const resign = async () => {
      this.#resigners.delete(resign);
      lost.abort(new Error(`${candidate} resigned from ${election}`));
      await campaign.resign();
    };
    this.#resigners.add(resign);
    try {
      await elected(campaign, signal);
    } catch (error) {
      // The campaign's own error says more than a failure to revoke its lease.
      await resign().catch(() => undefined);
      throw error;
    }
    return { lost: lost.signal, resign };
  }

  /** Resigns every campaign of this registry (handing over at once), then disconnects. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#resigners].map((resign) => resign()));
    this.#client.close();
  }
}

function entryOf(kv: IKeyValue): RegistryEntry {
  return { key: kv.key.toString(), value: kv.value.toString(), revision: Number(kv.mod_revision) };
}

/** Resolves when the campaign wins; rejects if it fails or the signal aborts first. */
function elected(campaign: Campaign, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    campaign.wait()
      .then(() => resolve(), reject)
      .finally(() => signal?.removeEventListener("abort", onAbort));
  });
}
