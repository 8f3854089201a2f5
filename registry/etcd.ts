/**
 * The registry in etcd (npm:etcd3), shared by every process of a deployment.
 *
 * Commits are etcd transactions comparing each guarded key's mod revision (create revision 0 for
 * an absent key); a fence compares its key's create revision, so it holds exactly while the lease
 * that key lives on does. Elections use etcd3's election API: a candidate's key lives on a lease
 * that the client keeps alive, so a process that dies loses leadership when the lease expires;
 * the key and its create revision are the leader's fencing token.
 * Outages are ridden out as `etcd_client.ts` says.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { type Campaign, type Etcd3, type ICompare, type IKeyValue, type IRequestOp } from "etcd3";
import { etcdClient, type EtcdClientOptions } from "./etcd_client.ts";
import { FencedWriteError } from "./fenced_write_error.ts";
import { assertLeaseTtl } from "./lease_ttl.ts";
import type {
  Commit,
  FencingToken,
  Leadership,
  Lease,
  Registry,
  RegistryEntry,
  RegistryWatch,
} from "./registry.ts";

/** Where etcd is, how long a leader outlives its process, and how calls ride out outages. */
export interface EtcdRegistryOptions extends EtcdClientOptions {
  /**
   * Lease of an election candidate, in whole seconds: how long a dead leader blocks the next
   * one. A live leader whose client cannot reach etcd learns it lost within twice this.
   * Default: 10.
   */
  leaseTtlSeconds?: number;
}

/** Where lease fence keys live (lease ids are unique across the etcd cluster). */
const LEASE_FENCES = "retune-leases/";

/** A Registry kept in etcd. */
export class EtcdRegistry implements Registry {
  readonly #client: Etcd3;
  readonly #leaseTtlSeconds: number;
  /** Resigns each campaign and revokes each lease this registry still holds, on close. */
  readonly #enders = new Set<() => Promise<void>>();

  /** Connects lazily to etcd at the given endpoints. */
  constructor(options: EtcdRegistryOptions) {
    const { leaseTtlSeconds = 10 } = options;
    if (!Number.isInteger(leaseTtlSeconds) || leaseTtlSeconds < 1) {
      throw new RangeError(
        `leaseTtlSeconds must be an integer >= 1: current value is ${leaseTtlSeconds}`,
      );
    }
    this.#client = etcdClient(options);
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

  /** Applies the commit as one etcd transaction; false if a guard failed; fenced: rejects. */
  async commit(change: Commit): Promise<boolean> {
    const { guards = [], puts = [], deletes = [], fence } = change;
    const compare = guards.map(({ key, revision }): ICompare =>
      revision === 0
        ? { key: Buffer.from(key), result: "Equal", target: "Create", create_revision: 0 }
        : { key: Buffer.from(key), result: "Equal", target: "Mod", mod_revision: revision }
    );
    if (fence !== undefined) compare.push(fenceCompare(fence));
    const success: IRequestOp[] = [
      ...puts.map(({ key, value, lease }) => ({
        request_put: { key: Buffer.from(key), value: Buffer.from(value), lease: lease ?? 0 },
      })),
      ...deletes.map((key) => ({ request_delete_range: { key: Buffer.from(key) } })),
    ];
    // On failure, read the fence key to tell a fenced write from a stale guard.
    const failure: IRequestOp[] = fence === undefined
      ? []
      : [{ request_range: { key: Buffer.from(fence.key) } }];
    const response = await this.#client.kv.txn({ compare, success, failure });
    if (!response.succeeded && fence !== undefined) {
      const [kv] = response.responses[0]?.response_range?.kvs ?? [];
      if (kv === undefined || Number(kv.create_revision) !== fence.revision) {
        throw new FencedWriteError(fence);
      }
    }
    return response.succeeded;
  }

  /** An etcd watch on `prefix` (etcd3 resumes it after an outage from the last revision seen). */
  async watch(prefix: string, onChange: () => void): Promise<RegistryWatch> {
    const watcher = await this.#client.watch().prefix(prefix).create();
    watcher.on("put", () => onChange());
    watcher.on("delete", () => onChange());
    // Errors are retried by etcd3 itself (`watchBackoff`); a listener keeps them from throwing.
    watcher.on("error", () => {});
    const cancel = async () => {
      this.#enders.delete(cancel);
      await watcher.cancel();
    };
    this.#enders.add(cancel);
    return { close: cancel };
  }

  /** A lease kept alive by this client; its fence key lives on it. */
  async grantLease(ttlSeconds: number, holder: string): Promise<Lease> {
    assertLeaseTtl(ttlSeconds);
    const lease = this.#client.lease(ttlSeconds);
    const lost = new AbortController();
    lease.on(
      "lost",
      (error) => lost.abort(new Error(`${holder} lost its lease: ${error.message}`)),
    );
    let id: string;
    try {
      id = await lease.grant();
    } catch (error) {
      lease.release();
      throw error;
    }
    const key = `${LEASE_FENCES}${id}`;
    const put = await this.#client.kv.txn({
      compare: [],
      success: [{ request_put: { key: Buffer.from(key), value: Buffer.from(holder), lease: id } }],
      failure: [],
    });
    const revoke = async () => {
      this.#enders.delete(revoke);
      if (lost.signal.aborted) return;
      lost.abort(new Error(`${holder} revoked its lease`));
      await lease.revoke();
    };
    this.#enders.add(revoke);
    lost.signal.addEventListener("abort", () => this.#enders.delete(revoke));
    return {
      id,
      fence: { holder, key, revision: Number(put.header.revision) },
      lost: lost.signal,
      revoke,
    };
  }

  /** Waits until this candidate leads `election`, or the signal aborts. */
  async campaign(election: string, candidate: string, signal?: AbortSignal): Promise<Leadership> {
    signal?.throwIfAborted();
    const campaign = this.#client.election(election, this.#leaseTtlSeconds).campaign(candidate);
    const lost = new AbortController();
    const resign = async () => {
      this.#enders.delete(resign);
      if (!lost.signal.aborted) lost.abort(new Error(`${candidate} resigned from ${election}`));
      // etcd3 stops the keep-alive before revoking: a lease etcd cannot be told of expires.
      await campaign.resign();
    };
    campaign.on("error", (error) => {
      lost.abort(new Error(`${candidate} lost the lead of ${election}: ${error.message}`));
      // Never leave a candidate behind: a new campaign would wait behind its own old one.
      resign().catch(() => undefined);
    });
    this.#enders.add(resign);
    try {
      await elected(campaign, signal);
      const key = await campaign.getCampaignKey();
      const [kv] = (await this.#client.get(key).exec()).kvs;
      if (kv === undefined) throw new Error(`${candidate} lost the lead of ${election} at once`);
      return {
        lost: lost.signal,
        fence: {
          holder: `${candidate} (leader of ${election})`,
          key,
          revision: Number(kv.create_revision),
        },
        lease: kv.lease,
        resign,
      };
    } catch (error) {
      // The campaign's own error says more than a failure to revoke its lease.
      await resign().catch(() => undefined);
      throw error;
    }
  }

  /** Resigns every campaign and revokes every lease of this registry, then disconnects. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#enders].map((end) => end()));
    this.#client.close();
  }
}

function entryOf(kv: IKeyValue): RegistryEntry {
  return { key: kv.key.toString(), value: kv.value.toString(), revision: Number(kv.mod_revision) };
}

function fenceCompare(fence: FencingToken): ICompare {
  return {
    key: Buffer.from(fence.key),
    result: "Equal",
    target: "Create",
    create_revision: fence.revision,
  };
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
