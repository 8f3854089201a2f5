/**
 * Watches the dataset ledger through the project's own `DatasetLedger` (never raw keys): samples
 * it every few hundred ms, keeps each sample for the bucket-deletion check, and tells which
 * phase the control plane is in (an optimisation while a version is frozen, an assembly while one
 * is assembling). A sample that fails (etcd down) is skipped.
 *
 * @module
 */

import { bucketsOf, isInUse } from "../../core/dataset_lifecycle.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import { DatasetLedger } from "../../registry/dataset_ledger.ts";
import { EtcdRegistry } from "../../registry/etcd.ts";
import { NamespacedRegistry } from "../../registry/namespaced.ts";
import type { Registry } from "../../registry/registry.ts";
import type { Phase } from "./fault_plan.ts";
import type { LedgerSample } from "./observations.ts";

/** How often the ledger is read, ms: assemblies of a few buckets last a few hundred ms. */
const SAMPLE_MS = 100;
/** Failed reads in a row after which the client is replaced (its breaker may stay open). */
const FAILURES_BEFORE_RECONNECT = 10;

/**
 * How long after a version was first seen assembling it still counts as an assembly under way:
 * a factory killed mid-assembly leaves its version assembling for good.
 */
const ASSEMBLY_FRESH_MS = 10_000;

/** The ledger's samples and current phases. */
export class LedgerWatch {
  readonly samples: LedgerSample[] = [];
  readonly #config: RetuneConfig;
  #registry: Registry;
  #ledger: DatasetLedger;
  #phases = new Set<Phase>();
  /** When each version was first seen assembling. */
  readonly #assemblingSince = new Map<number, number>();
  #stopped = false;
  readonly #loop: Promise<void>;

  /** Starts watching the ledger of the configuration's etcd namespace. */
  constructor(config: RetuneConfig) {
    if (config.etcd === undefined) {
      throw new RangeError("config.etcd must be set: current value is undefined");
    }
    this.#config = config;
    this.#registry = this.#connect();
    this.#ledger = new DatasetLedger(this.#registry);
    this.#loop = this.#watch();
  }

  /**
   * Whether the last sample saw `phase` under way: a version frozen by an optimisation run (a
   * freeze whose owner died stays, so callers should also look for the run's traffic), or a
   * version that went assembling within the last few seconds.
   */
  in(phase: Phase): boolean {
    return this.#phases.has(phase);
  }

  /** Stops sampling and closes the registry client. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
    await this.#registry.close();
  }

  #connect(): Registry {
    const { endpoints, namespace } = this.#config.etcd!;
    return new NamespacedRegistry(new EtcdRegistry({ endpoints }), namespace);
  }

  async #watch(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      const at = Date.now();
      try {
        const entries = await withTimeout(this.#ledger.versions(), 2_000);
        const phases = new Set<Phase>();
        for (const entry of entries) {
          if (entry.frozenBy.length > 0) phases.add("optimisation");
          if (entry.state !== "assembling") continue;
          const since = this.#assemblingSince.get(entry.dataset.version) ?? at;
          this.#assemblingSince.set(entry.dataset.version, since);
          if (at - since <= ASSEMBLY_FRESH_MS) phases.add("assembly");
        }
        this.#phases = phases;
        this.samples.push({
          at,
          versions: entries.map((entry) => ({
            version: entry.dataset.version,
            buckets: bucketsOf(entry.dataset),
            inUse: isInUse(entry),
          })),
        });
        failures = 0;
      } catch {
        // etcd is down or slow: no sample, phases unknown until it answers again.
        this.#phases = new Set();
        if (++failures >= FAILURES_BEFORE_RECONNECT) {
          failures = 0;
          const old = this.#registry;
          this.#registry = this.#connect();
          this.#ledger = new DatasetLedger(this.#registry);
          await withTimeout(old.close(), 2_000).catch(() => {});
        }
      }
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  }
}

/** `promise`, or a rejection once `ms` passed. */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
