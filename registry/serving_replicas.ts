/**
 * Where serving replicas say who they are: each registers itself (its address, the model
 * version it has loaded and whether it is ready) under its own lease, so a replica that dies
 * leaves the list when its lease expires. A client reads the list and the live designation and
 * calls only the replicas serving the designated version (`routable`).
 *
 * @module
 */

import type { Registry, RegistryWatch } from "./registry.ts";

const PREFIX = "retune/serving/replicas/";

/** One serving replica as it registers itself. */
export interface ReplicaRecord {
  /** The process instance that runs it. */
  instance: string;
  /** Base URL of its API, ending in "/". */
  address: string;
  /** The model version loaded; null before the first load. */
  version: number | null;
  ready: boolean;
  /** What it serves, or why it is not ready. */
  detail: string;
  /** In a fleet, each model's version loaded, readiness and why; absent without a fleet. */
  models?: Record<string, { version: number | null; ready: boolean; detail: string }>;
  /** Epoch ms of this registration. */
  updatedAt: number;
}

/** The serving replicas registered in a Registry. */
export class ServingReplicas {
  readonly #registry: Registry;

  /** Wraps the deployment's registry. */
  constructor(registry: Registry) {
    this.#registry = registry;
  }

  /** Registers (or updates) `replica` under `lease`: it is removed when the lease ends. */
  async register(replica: ReplicaRecord, lease: string): Promise<void> {
    await this.#registry.commit({
      puts: [{ key: PREFIX + replica.instance, value: JSON.stringify(replica), lease }],
    });
  }

  /** Every registered replica, by instance. */
  async list(): Promise<ReplicaRecord[]> {
    const entries = await this.#registry.list(PREFIX);
    return entries.map((entry) => JSON.parse(entry.value) as ReplicaRecord);
  }

  /** Calls `onChange` after each registration, update or removal. */
  watch(onChange: () => void): Promise<RegistryWatch> {
    return this.#registry.watch(PREFIX, onChange);
  }
}

/**
 * The replicas a client may call: ready and serving the designated version; for fleet model
 * `model`, serving that model's designated version, ready with it.
 */
export function routable(
  replicas: readonly ReplicaRecord[],
  designated: number | undefined,
  model?: string,
): ReplicaRecord[] {
  if (model === undefined) {
    return replicas.filter((replica) => replica.ready && replica.version === designated);
  }
  return replicas.filter((replica) => {
    const served = replica.models?.[model];
    return served !== undefined && served.ready && served.version === designated;
  });
}
