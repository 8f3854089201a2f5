/**
 * The registry in memory, for roles that share one process (and for tests). Revisions count
 * commits like etcd's: every commit that writes gets the next revision, and each entry carries
 * the revision that last wrote it. Like etcd clients, several registries can share one store
 * (`connect`), each closing on its own.
 *
 * @module
 */

import type { Commit, Leadership, Registry, RegistryEntry } from "./registry.ts";

/** A campaign waiting in, or leading, an election: the head of the election's queue leads. */
interface Candidate {
  readonly lost: AbortController;
  /** Resolves the pending `campaign` call. */
  elect(): void;
  /** Rejects the pending `campaign` call. */
  refuse(reason: unknown): void;
}

/** What registries connected to each other share. */
interface Store {
  readonly entries: Map<string, RegistryEntry>;
  /** The queue of candidates of each election. */
  readonly elections: Map<string, Candidate[]>;
  revision: number;
}

/** A Registry held in this process's memory. */
export class InProcessRegistry implements Registry {
  #store: Store = { entries: new Map(), elections: new Map(), revision: 0 };
  /** The election of each candidate campaigning through this registry. */
  readonly #candidates = new Map<Candidate, string>();
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
      return entry && { ...entry };
    });
  }

  /** Every entry whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<RegistryEntry[]> {
    return Promise.try(() => {
      this.#assertOpen();
      return [...this.#store.entries.values()]
        .filter((entry) => entry.key.startsWith(prefix))
        .sort((a, b) => (a.key < b.key ? -1 : 1))
        .map((entry) => ({ ...entry }));
    });
  }

  /** Applies the commit atomically; false (and nothing written) if a guard failed. */
  commit(change: Commit): Promise<boolean> {
    return Promise.try(() => {
      this.#assertOpen();
      const { guards = [], puts = [], deletes = [] } = change;
      assertDistinctKeys([...puts.map((put) => put.key), ...deletes]);
      const holds = guards.every((guard) =>
        (this.#store.entries.get(guard.key)?.revision ?? 0) === guard.revision
      );
      if (!holds) return false;
      if (puts.length + deletes.length > 0) {
        const revision = ++this.#store.revision;
        for (const { key, value } of puts) this.#store.entries.set(key, { key, value, revision });
        for (const key of deletes) this.#store.entries.delete(key);
      }
      return true;
    });
  }

  /** Waits in line until this candidate leads `election`, or the signal aborts. */
  campaign(election: string, candidate: string, signal?: AbortSignal): Promise<Leadership> {
    return Promise.try(() => {
      this.#assertOpen();
      signal?.throwIfAborted();
      const { promise, resolve, reject } = Promise.withResolvers<Leadership>();
      const lost = new AbortController();
      const leadership: Leadership = {
        lost: lost.signal,
        resign: () =>
          Promise.resolve(
            this.#withdraw(election, entry, new Error(`${candidate} resigned from ${election}`)),
          ),
      };
      const onAbort = () => this.#withdraw(election, entry, signal?.reason);
      const entry: Candidate = {
        lost,
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

  /** Ends the leaderships and pending campaigns of this registry; its later calls reject. */
  close(): Promise<void> {
    for (const [candidate, election] of this.#candidates) {
      this.#withdraw(election, candidate, new Error("the in-process registry closed"));
    }
    this.#closed = true;
    return Promise.resolve();
  }

  /** Takes a candidate out of its election: a leader loses, a waiting one is refused. */
  #withdraw(election: string, candidate: Candidate, reason: unknown): void {
    const queue = this.#store.elections.get(election) ?? [];
    const place = queue.indexOf(candidate);
    if (place < 0) return;
    queue.splice(place, 1);
    this.#candidates.delete(candidate);
    if (queue.length === 0) this.#store.elections.delete(election);
    if (place === 0) {
      candidate.lost.abort(reason);
      queue[0]?.elect();
    } else {
      candidate.refuse(reason);
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("the in-process registry is closed");
  }
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
