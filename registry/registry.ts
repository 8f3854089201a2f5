/**
 * The shared registry: a small versioned key-value store with guarded atomic commits and leader
 * election. Two implementations: `in_process.ts` and `etcd.ts` (npm:etcd3). Dataset and model
 * version state lives here, so bucket deletion can be made safe across processes.
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

/** An atomic change: applied whole only if every guard holds. */
export interface Commit {
  guards?: Guard[];
  puts?: { key: string; value: string }[];
  deletes?: string[];
}

/** Leadership won by `campaign`; lost when resigned or when the session expires. */
export interface Leadership {
  /** Aborted when leadership is lost. */
  readonly lost: AbortSignal;
  resign(): Promise<void>;
}

/** Versioned key-value registry with guarded commits and leader election. */
export interface Registry {
  get(key: string): Promise<RegistryEntry | undefined>;
  /** Every entry whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<RegistryEntry[]>;
  /** Applies the commit atomically; false (and nothing written) if a guard failed. */
  commit(change: Commit): Promise<boolean>;
  /** Waits until this candidate leads `election`, or the signal aborts. */
  campaign(election: string, candidate: string, signal?: AbortSignal): Promise<Leadership>;
  close(): Promise<void>;
}
