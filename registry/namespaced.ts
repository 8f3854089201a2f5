/**
 * A registry seen through a namespace: every key and election name is prefixed, so several
 * Retune deployments (or test runs) can share one etcd without seeing each other's state.
 *
 * @module
 */

import type {
  Commit,
  Leadership,
  Lease,
  Registry,
  RegistryEntry,
  RegistryWatch,
} from "./registry.ts";

/** Prefixes every key and election of `inner` with `namespace` + "/". */
export class NamespacedRegistry implements Registry {
  readonly #inner: Registry;
  readonly #prefix: string;

  /** `namespace` must be non-empty and must not end with "/". */
  constructor(inner: Registry, namespace: string) {
    if (namespace === "" || namespace.endsWith("/")) {
      throw new RangeError(
        `namespace must be non-empty without a trailing '/': current value is '${namespace}'`,
      );
    }
    this.#inner = inner;
    this.#prefix = `${namespace}/`;
  }

  /** Reads a key of the namespace. */
  async get(key: string): Promise<RegistryEntry | undefined> {
    const entry = await this.#inner.get(this.#prefix + key);
    return entry && this.#strip(entry);
  }

  /** Lists keys of the namespace starting with `prefix`. */
  async list(prefix: string): Promise<RegistryEntry[]> {
    return (await this.#inner.list(this.#prefix + prefix)).map((entry) => this.#strip(entry));
  }

  /** Applies a guarded commit inside the namespace (a fence is the inner registry's own). */
  commit(change: Commit): Promise<boolean> {
    return this.#inner.commit({
      fence: change.fence,
      guards: change.guards?.map((g) => ({ ...g, key: this.#prefix + g.key })),
      puts: change.puts?.map((p) => ({ ...p, key: this.#prefix + p.key })),
      deletes: change.deletes?.map((key) => this.#prefix + key),
    });
  }

  /** Watches keys of the namespace starting with `prefix`. */
  watch(prefix: string, onChange: () => void): Promise<RegistryWatch> {
    return this.#inner.watch(this.#prefix + prefix, onChange);
  }

  /** A lease of the underlying registry (lease ids are not namespaced). */
  grantLease(ttlSeconds: number, holder: string): Promise<Lease> {
    return this.#inner.grantLease(ttlSeconds, holder);
  }

  /** Campaigns in the namespace's election of that name. */
  campaign(election: string, candidate: string, signal?: AbortSignal): Promise<Leadership> {
    return this.#inner.campaign(this.#prefix + election, candidate, signal);
  }

  /** Closes the underlying registry. */
  close(): Promise<void> {
    return this.#inner.close();
  }

  #strip(entry: RegistryEntry): RegistryEntry {
    return { ...entry, key: entry.key.slice(this.#prefix.length) };
  }
}
