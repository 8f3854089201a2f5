/**
 * The shared registry: a small versioned key-value store with guarded atomic commits, leases and
 * leader election. Two implementations: `in_process.ts` and `etcd.ts` (npm:etcd3). Dataset and
 * model version state lives here, so bucket deletion can be made safe across processes.
 *
 * @module
 */

/** A stored entry with its modification revision (> 0). */
export interface RegistryEntry {
  key: string;
  value: string;
  revision: number;
}

/** A condition of a commit: the key is at `revision`, or absent when `revision` is 0. */
export interface Guard {
  key: string;
  revision: number;
}

/**
 * Proof that a holder still holds what it won: a key that lives exactly as long as the holder's
 * lease (or leadership), with the revision that created it. A commit fenced by a token that no
 * longer holds is refused with a FencedWriteError, so a deposed leader cannot write.
 */
export interface FencingToken {
  /** Who holds it, for error messages. */
  holder: string;
  key: string;
  /** The revision that created `key` (> 0). */
  revision: number;
}

/** An atomic change: applied whole only if every guard (and the fence, if any) holds. */
export interface Commit {
  guards?: Guard[];
  /** `lease`: the entry is deleted when that lease is revoked or expires. */
  puts?: { key: string; value: string; lease?: string }[];
  deletes?: string[];
  /** The commit is refused with a FencedWriteError unless this token still holds. */
  fence?: FencingToken;
}

/** A lease kept alive by its registry until revoked, closed or lost (e.g. etcd lost it). */
export interface Lease {
  /** Id to put entries under (`Commit.puts[].lease`). */
  readonly id: string;
  /** Holds while the lease is alive. */
  readonly fence: FencingToken;
  /** Aborted when the lease ends, whatever the cause. */
  readonly lost: AbortSignal;
  /** Ends the lease now: its entries are deleted at once. Idempotent. */
  revoke(): Promise<void>;
}

/** Leadership won by `campaign`; lost when resigned or when the session expires. */
export interface Leadership {
  /** Aborted when leadership is lost. */
  readonly lost: AbortSignal;
  /** Holds while this candidate leads: fences the leader's writes. */
  readonly fence: FencingToken;
  /** The lease the leadership lives on: entries put under it end with the leader. */
  readonly lease: string;
  /** Hands over at once (revoking the lease). Idempotent. */
  resign(): Promise<void>;
}

/** A watch on a key prefix, until closed. */
export interface RegistryWatch {
  /** Stops the notifications. Idempotent. */
  close(): Promise<void>;
}

/** Versioned key-value registry with guarded commits, leases and leader election. */
export interface Registry {
  get(key: string): Promise<RegistryEntry | undefined>;
  /** Every entry whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<RegistryEntry[]>;
  /**
   * Applies the commit atomically; false (and nothing written) if a guard failed; rejects with a
   * FencedWriteError (and nothing written) if its fence no longer holds.
   */
  commit(change: Commit): Promise<boolean>;
  /**
   * Calls `onChange` after each change (put, delete, lease end) of an entry under `prefix`, until
   * closed; the watcher then reads what it needs (a notification carries no value, so one missed
   * while reconnecting costs nothing but a later read).
   */
  watch(prefix: string, onChange: () => void): Promise<RegistryWatch>;
  /** A lease of `ttlSeconds`, kept alive until revoked or the registry closes. */
  grantLease(ttlSeconds: number, holder: string): Promise<Lease>;
  /** Waits until this candidate leads `election`, or the signal aborts. */
  campaign(election: string, candidate: string, signal?: AbortSignal): Promise<Leadership>;
  /** Resigns its leaderships and revokes its leases, then disconnects. */
  close(): Promise<void>;
}
