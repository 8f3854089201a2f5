/**
 * The ledger of dataset versions and buckets that the collector and the factory share through
 * the Registry, and the rule that makes deleting a bucket safe across processes: a bucket goes
 * only when no version that references it is pending, assembling or frozen.
 *
 * A version moves pending (announced by the collector) -> assembling (the factory started) ->
 * assembled -> released (a newer version is assembled). Independently, optimisation runs freeze
 * (pin) the version they train on until they unfreeze it.
 *
 * Every change is a guarded commit on the revisions it read, retried on conflict. Only an
 * announcement or a freeze can put a version (back) in use: an announcement rewrites the entries
 * of the buckets it references, so a deletion that read one of them fails its guard and looks
 * again; a freeze changes the version, which the deletion guards, and itself guards the buckets.
 *
 * @module
 */

import type { DatasetVersion } from "../core/versions.ts";
import {
  bucketsOf,
  DatasetStateError,
  isInUse,
  type LedgerEntry,
  withState,
} from "../core/dataset_lifecycle.ts";
import type { Guard, Registry, RegistryEntry } from "./registry.ts";

/** What a bucket's registry entry holds. */
interface BucketRecord {
  /** Newest version that references the bucket, if any. */
  lastVersion: number | null;
}

/** Dataset versions and buckets, kept in a Registry under one key prefix. */
export class DatasetLedger {
  readonly #registry: Registry;
  readonly #versionsPrefix: string;
  readonly #bucketsPrefix: string;

  /** A ledger in `registry` under `prefix`; every process of a deployment must use the same. */
  constructor(registry: Registry, prefix = "retune/datasets/") {
    this.#registry = registry;
    this.#versionsPrefix = `${prefix}versions/`;
    this.#bucketsPrefix = `${prefix}buckets/`;
  }

  /** Records a bucket the collector has filled, so versions may reference it (idempotent). */
  async registerBucket(bucket: number): Promise<void> {
    assertId("bucket", bucket);
    const record: BucketRecord = { lastVersion: null };
    await this.#registry.commit({
      guards: [{ key: this.#bucketKey(bucket), revision: 0 }],
      puts: [{ key: this.#bucketKey(bucket), value: JSON.stringify(record) }],
    });
  }

  /** Every registered bucket, ascending. */
  async registeredBuckets(): Promise<number[]> {
    const entries = await this.#registry.list(this.#bucketsPrefix);
    return entries.map((entry) => Number(entry.key.slice(this.#bucketsPrefix.length)));
  }

  /** Records a new version as pending; every bucket it references must be registered. */
  async announce(dataset: DatasetVersion): Promise<void> {
    assertId("dataset.version", dataset.version);
    for (const ref of dataset.buckets) assertId("dataset.buckets[].bucket", ref.bucket);
    const { version } = dataset;
    const key = this.#versionKey(version);
    const buckets = bucketsOf(dataset);
    const entry: LedgerEntry = { dataset, state: "pending", frozenBy: [] };
    const record: BucketRecord = { lastVersion: version };
    for (;;) {
      const existing = await this.#registry.get(key);
      if (existing !== undefined) {
        throw new DatasetStateError(`dataset version ${version} was already announced`);
      }
      const { present, missing } = await this.#readBuckets(buckets);
      if (missing.length > 0) {
        throw new DatasetStateError(
          `dataset version ${version} references unregistered (or deleted) buckets ${
            missing.join(", ")
          }`,
        );
      }
      const committed = await this.#registry.commit({
        guards: [{ key, revision: 0 }, ...present.map(guardOf)],
        puts: [
          { key, value: JSON.stringify(entry) },
          // Rewriting the buckets fails the guard of any deletion that read them before.
          ...present.map(({ key }) => ({ key, value: JSON.stringify(record) })),
        ],
      });
      if (committed) return;
    }
  }

  /** Moves a version from pending to assembling. */
  async beginAssembly(version: number): Promise<void> {
    await this.#update(
      version,
      (entry) => withState(entry, "begin assembling", "pending", "assembling"),
    );
  }

  /** Moves a version from assembling to assembled. */
  async finishAssembly(version: number): Promise<void> {
    await this.#update(
      version,
      (entry) => withState(entry, "finish assembling", "assembling", "assembled"),
    );
  }

  /** Moves an assembled version to released, once a newer version is assembled. */
  async release(version: number): Promise<void> {
    assertId("version", version);
    // Versions never go back from assembled, so a newer one seen assembled stays so.
    const superseded = (await this.versions()).some((entry) =>
      entry.dataset.version > version && (entry.state === "assembled" || entry.state === "released")
    );
    await this.#update(version, (entry) => {
      if (entry.state === "assembled" && !superseded) {
        throw new DatasetStateError(
          `cannot release dataset version ${version}: no newer version is assembled yet`,
        );
      }
      return withState(entry, "release", "assembled", "released");
    });
  }

  /**
   * Pins a version for an optimisation run, so its buckets stay (idempotent per run). The
   * version must not be released and its buckets must still be registered.
   */
  async freeze(version: number, runId: string): Promise<void> {
    assertRunId(runId);
    for (;;) {
      const read = await this.#readVersion(version);
      const entry = parse(read);
      if (entry.state === "released") {
        throw new DatasetStateError(
          `cannot freeze dataset version ${version} for run ${runId}: it is released`,
        );
      }
      if (entry.frozenBy.includes(runId)) return;
      // Freezing puts the version back in use: its buckets must be there, and stay until the
      // commit (a deletion in between fails the guards).
      const { present, missing } = await this.#readBuckets(bucketsOf(entry.dataset));
      if (missing.length > 0) {
        throw new DatasetStateError(
          `cannot freeze dataset version ${version} for run ${runId}: its buckets ${
            missing.join(", ")
          } were deleted`,
        );
      }
      const frozen: LedgerEntry = { ...entry, frozenBy: [...entry.frozenBy, runId] };
      const committed = await this.#registry.commit({
        guards: [read, ...present].map(guardOf),
        puts: [{ key: read.key, value: JSON.stringify(frozen) }],
      });
      if (committed) return;
    }
  }

  /** Unpins every version the run froze; returns them (none if it froze none). */
  async unfreeze(runId: string): Promise<number[]> {
    assertRunId(runId);
    for (;;) {
      const frozen = (await this.#readVersions())
        .filter(({ entry }) => entry.frozenBy.includes(runId));
      const committed = await this.#registry.commit({
        guards: frozen.map(({ read }) => guardOf(read)),
        puts: frozen.map(({ read, entry }) => {
          const unfrozen = { ...entry, frozenBy: entry.frozenBy.filter((run) => run !== runId) };
          return { key: read.key, value: JSON.stringify(unfrozen) };
        }),
      });
      if (committed) return frozen.map(({ entry }) => entry.dataset.version);
    }
  }

  /** The ledger's record of a version, if it was announced. */
  async version(version: number): Promise<LedgerEntry | undefined> {
    assertId("version", version);
    const read = await this.#registry.get(this.#versionKey(version));
    return read && parse(read);
  }

  /** Every announced version, oldest first. */
  async versions(): Promise<LedgerEntry[]> {
    return (await this.#registry.list(this.#versionsPrefix)).map(parse);
  }

  /** Buckets referenced by a pending, assembling or frozen version: the ones that must stay. */
  async bucketsInUse(): Promise<Set<number>> {
    const inUse = new Set<number>();
    for (const entry of await this.versions()) {
      if (!isInUse(entry)) continue;
      for (const bucket of bucketsOf(entry.dataset)) inUse.add(bucket);
    }
    return inUse;
  }

  /**
   * Removes a bucket's registry entry if no version that references it is in use, atomically
   * with respect to concurrent changes, and only then calls `deleteFn` to delete its data.
   * Returns whether it deleted the bucket; false too if the bucket is not registered. If
   * `deleteFn` throws, the entry is gone all the same: no version can reference the data again.
   */
  async deleteBucketIfUnused(
    bucket: number,
    deleteFn: (bucket: number) => Promise<void> | void,
  ): Promise<boolean> {
    assertId("bucket", bucket);
    const key = this.#bucketKey(bucket);
    for (;;) {
      // The bucket before the versions: an announcement after this read changes the bucket's
      // revision (failing the guard), and one before it is in the list below.
      const read = await this.#registry.get(key);
      if (read === undefined) return false;
      const referencing = (await this.#readVersions())
        .filter(({ entry }) => bucketsOf(entry.dataset).includes(bucket));
      if (referencing.some(({ entry }) => isInUse(entry))) return false;
      // Released versions never come back into use, so only the others need a guard.
      const revivable = referencing.filter(({ entry }) => entry.state !== "released");
      const deleted = await this.#registry.commit({
        guards: [guardOf(read), ...revivable.map((version) => guardOf(version.read))],
        deletes: [key],
      });
      if (deleted) {
        await deleteFn(bucket);
        return true;
      }
    }
  }

  /** Rewrites a version's entry with `change`, retrying on conflict. */
  async #update(version: number, change: (entry: LedgerEntry) => LedgerEntry): Promise<void> {
    for (;;) {
      const read = await this.#readVersion(version);
      const changed = change(parse(read));
      const committed = await this.#registry.commit({
        guards: [guardOf(read)],
        puts: [{ key: read.key, value: JSON.stringify(changed) }],
      });
      if (committed) return;
    }
  }

  /** A version's registry entry; a DatasetStateError if it was never announced. */
  async #readVersion(version: number): Promise<RegistryEntry> {
    assertId("version", version);
    const read = await this.#registry.get(this.#versionKey(version));
    if (read === undefined) {
      throw new DatasetStateError(`dataset version ${version} was never announced`);
    }
    return read;
  }

  /** Every version's registry entry, with the ledger entry it holds. */
  async #readVersions(): Promise<{ read: RegistryEntry; entry: LedgerEntry }[]> {
    const reads = await this.#registry.list(this.#versionsPrefix);
    return reads.map((read) => ({ read, entry: parse(read) }));
  }

  /** The registry entries of the buckets that are registered, and the ones that are not. */
  async #readBuckets(buckets: number[]): Promise<{ present: RegistryEntry[]; missing: number[] }> {
    const read = await Promise.all(
      buckets.map((bucket) => this.#registry.get(this.#bucketKey(bucket))),
    );
    return {
      present: read.filter((entry) => entry !== undefined),
      missing: buckets.filter((_, i) => read[i] === undefined),
    };
  }

  #versionKey(version: number): string {
    return `${this.#versionsPrefix}${padded(version)}`;
  }

  #bucketKey(bucket: number): string {
    return `${this.#bucketsPrefix}${padded(bucket)}`;
  }
}

function parse(read: RegistryEntry): LedgerEntry {
  return JSON.parse(read.value) as LedgerEntry;
}

function guardOf(read: RegistryEntry): Guard {
  return { key: read.key, revision: read.revision };
}

/** Zero-padded, so registry listings sort numerically. */
function padded(id: number): string {
  return String(id).padStart(16, "0");
}

function assertId(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer: current value is ${value}`);
  }
}

function assertRunId(runId: string): void {
  if (typeof runId !== "string" || runId === "") {
    throw new RangeError(
      `runId must be a non-empty string: current value is ${JSON.stringify(runId)}`,
    );
  }
}
