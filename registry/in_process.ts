/**
 * The registry in memory, for roles that share one process (and for tests). Revisions count
 * writes like etcd's: every commit that writes gets the next revision, and each entry carries
 * the revision that last wrote it. Like etcd clients, several registries can share one store
 * (`connect`), each closing on its own. Leases never expire by time here (one process lives or
 * dies whole): they end when revoked, when their registry closes, or with their leadership.
 *
 * @module
 */

import { FencedWriteError } from "./fenced_write_error.ts";
import { assertLeaseTtl } from "./lease_ttl.ts";
import { SortedKeys } from "./sorted_keys.ts";
import type {
  Commit,
  FencingToken,
  Leadership,
  Lease,
  Registry,
  RegistryEntry,
  RegistryWatch,
} from "./registry.ts";

/** A live lease: the keys put under it and the fence key that lives as long as it does. */
interface LeaseRecord {
  readonly id: string;
  readonly fence: FencingToken;
  readonly lost: AbortController;
  readonly keys: Set<string>;
}

/** A campaign waiting in, or leading, an election: the head of the election's queue leads. */
interface Candidate {
  readonly lease: LeaseRecord;
  /** Resolves the pending `campaign` call. */
  elect(): void;
  /** Rejects the pending `campaign` call. */
  refuse(reason: unknown): void;
}

/** What registries connected to each other share. */
interface Store {
  readonly entries: Map<string, RegistryEntry & { lease?: string }>;
  /** The keys of `entries`, in order. */
  readonly keys: SortedKeys;
  /** The creation revision of each live fence key. */
  readonly fences: Map<string, number>;
  readonly leases: Map<string, LeaseRecord>;
  /** The queue of candidates of each election. */
  readonly elections: Map<string, Candidate[]>;
  revision: number;
  lastLease: number;
  /** The open watches: each one's prefix and callback. */
  readonly watchers: Set<{ prefix: string; onChange: () => void }>;
}

/** A Registry held in this process's memory. */
export class InProcessRegistry implements Registry {
  #store: Store = {
    entries: new Map(),
    keys: new SortedKeys(),
    fences: new Map(),
    leases: new Map(),
    elections: new Map(),
    revision: 0,
    lastLease: 0,
    watchers: new Set(),
  };
  /** The election of each candidate campaigning through this registry. */
  readonly #candidates = new Map<Candidate, string>();
  /** Leases granted through this registry, revoked when it closes. */
  readonly #leases = new Set<LeaseRecord>();
  /** Watches opened through this registry, closed with it. */
  readonly #watchers = new Set<{ prefix: string; onChange: () => void }>();
  #closed = false;

  /** Another registry on this one's store, closed on its own (as another process's client). */
  connect(): InProcessRegistry {
    const other = new InProcessRegistry();
    other.#store = this.#store;
    return other;
  }

  /** The entry at `key`, if any. */
  get(key: string): Promise<RegistryEntry | undefined> {
    return Promise.try(() => {
      this.#assertOpen();
      const entry = this.#store.entries.get(key);
      return entry && plain(entry);
    });
  }

  /** Every entry whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<RegistryEntry[]> {
    return Promise.try(() => {
      this.#assertOpen();
      const { entries, keys } = this.#store;
      return keys.withPrefix(prefix).map((key) => plain(entries.get(key)!));
    });
  }

  /** Applies the commit atomically; false if a guard failed; FencedWriteError if fenced off. */
  commit(change: Commit): Promise<boolean> {
    return Promise.try(() => {
      this.#assertOpen();
      const { guards = [], puts = [], deletes = [], fence } = change;
      assertDistinctKeys([...puts.map((put) => put.key), ...deletes]);
      if (fence !== undefined && this.#store.fences.get(fence.key) !== fence.revision) {
        throw new FencedWriteError(fence);
      }
      for (const { lease } of puts) {
        if (lease !== undefined && !this.#store.leases.has(lease)) {
          throw new RangeError(`lease must be alive: current value is ${lease} (ended or unknown)`);
        }
      }
      const holds = guards.every((guard) =>
        (this.#store.entries.get(guard.key)?.revision ?? 0) === guard.revision
      );
      if (!holds) return false;
      if (puts.length + deletes.length > 0) {
        const revision = ++this.#store.revision;
        for (const { key, value, lease } of puts) {
          this.#unlease(key);
          this.#store.entries.set(key, { key, value, revision, lease });
          this.#store.keys.add(key);
          if (lease !== undefined) this.#store.leases.get(lease)!.keys.add(key);
        }
        for (const key of deletes) {
          this.#unlease(key);
          this.#store.entries.delete(key);
          this.#store.keys.delete(key);
        }
        this.#notify([...puts.map((put) => put.key), ...deletes]);
      }
      return true;
    });
  }

  /** Notifies `onChange` (after the write, asynchronously) of changes under `prefix`. */
  watch(prefix: string, onChange: () => void): Promise<RegistryWatch> {
    return Promise.try(() => {
      this.#assertOpen();
      const watcher = { prefix, onChange };
      this.#store.watchers.add(watcher);
      this.#watchers.add(watcher);
      return {
        close: () => {
          this.#store.watchers.delete(watcher);
          this.#watchers.delete(watcher);
          return Promise.resolve();
        },
      };
    });
  }

  /** A lease that lives until revoked or this registry closes (`ttlSeconds` is only checked). */
  grantLease(ttlSeconds: number, holder: string): Promise<Lease> {
    return Promise.try(() => {
      this.#assertOpen();
      assertLeaseTtl(ttlSeconds);
      const record = this.#grant(holder);
      return {
        id: record.id,
        fence: record.fence,
        lost: record.lost.signal,
        revoke: () =>
          Promise.resolve(this.#revoke(record, new Error(`${holder} revoked its lease`))),
      };
    });
  }

  /** Waits in line until this candidate leads `election`, or the signal aborts. */
  campaign(election: string, candidate: string, signal?: AbortSignal): Promise<Leadership> {
    return Promise.try(() => {
      this.#assertOpen();
      signal?.throwIfAborted();
      const { promise, resolve, reject } = Promise.withResolvers<Leadership>();
      const lease = this.#grant(candidate, `election/${election}/`);
      const leadership: Leadership = {
        lost: lease.lost.signal,
        fence: lease.fence,
        lease: lease.id,
        resign: () =>
          Promise.resolve(
            this.#withdraw(election, entry, new Error(`${candidate} resigned from ${election}`)),
          ),
      };
      const onAbort = () => this.#withdraw(election, entry, signal?.reason);
      const entry: Candidate = {
        lease,
        elect() {
          signal?.removeEventListener("abort", onAbort);
          resolve(leadership);
        },
        refuse(reason) {
          signal?.removeEventListener("abort", onAbort);
          reject(reason);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const queue = this.#store.elections.get(election) ?? [];
      this.#store.elections.set(election, queue);
      queue.push(entry);
      this.#candidates.set(entry, election);
      if (queue.length === 1) entry.elect();
      return promise;
    });
  }

  /** Ends the leaderships, campaigns and leases of this registry; its later calls reject. */
  close(): Promise<void> {
    const reason = new Error("the in-process registry closed");
    for (const [candidate, election] of this.#candidates) {
      this.#withdraw(election, candidate, reason);
    }
    for (const lease of this.#leases) this.#revoke(lease, reason);
    for (const watcher of this.#watchers) this.#store.watchers.delete(watcher);
    this.#watchers.clear();
    this.#closed = true;
    return Promise.resolve();
  }

  /** A new lease with its fence key (under `fencePrefix`) created at a new revision. */
  #grant(holder: string, fencePrefix = "lease/"): LeaseRecord {
    const id = String(++this.#store.lastLease);
    const key = `${fencePrefix}${id}`;
    const revision = ++this.#store.revision;
    const record: LeaseRecord = {
      id,
      fence: { holder, key, revision },
      lost: new AbortController(),
      keys: new Set(),
    };
    this.#store.fences.set(key, revision);
    this.#store.leases.set(id, record);
    this.#leases.add(record);
    return record;
  }

  /** Ends a lease: its entries and fence go at one new revision. */
  #revoke(lease: LeaseRecord, reason: unknown): void {
    if (!this.#store.leases.delete(lease.id)) return;
    this.#leases.delete(lease);
    this.#store.revision++;
    for (const key of lease.keys) {
      this.#store.entries.delete(key);
      this.#store.keys.delete(key);
    }
    this.#store.fences.delete(lease.fence.key);
    this.#notify([...lease.keys]);
    lease.lost.abort(reason);
  }

  /** Tells the watchers of `keys` of a change, after the writer's turn (as etcd's do). */
  #notify(keys: readonly string[]): void {
    for (const watcher of this.#store.watchers) {
      if (keys.some((key) => key.startsWith(watcher.prefix))) queueMicrotask(watcher.onChange);
    }
  }

  /** Forgets which lease `key` was put under, before it is rewritten or deleted. */
  #unlease(key: string): void {
    const lease = this.#store.entries.get(key)?.lease;
    if (lease !== undefined) this.#store.leases.get(lease)?.keys.delete(key);
  }

  /** Takes a candidate out of its election: a leader loses, a waiting one is refused. */
  #withdraw(election: string, candidate: Candidate, reason: unknown): void {
    const queue = this.#store.elections.get(election) ?? [];
    const place = queue.indexOf(candidate);
    if (place < 0) return;
    queue.splice(place, 1);
    this.#candidates.delete(candidate);
    if (queue.length === 0) this.#store.elections.delete(election);
    this.#revoke(candidate.lease, reason);
    if (place === 0) {
      queue[0]?.elect();
    } else {
      candidate.refuse(reason);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("the in-process registry is closed");
  }
}

function plain({ key, value, revision }: RegistryEntry): RegistryEntry {
  return { key, value, revision };
}

/** etcd refuses a transaction that writes a key twice, so this registry does too. */
function assertDistinctKeys(keys: string[]): void {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) {
      throw new RangeError(`a commit may write each key once: current commit writes ${key} twice`);
    }
    seen.add(key);
  }
}
