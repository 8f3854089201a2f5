/**
 * The ledger of dataset versions and buckets that the collector and the factory share through
 * the Registry, and the rule that makes deleting a bucket safe across processes: a bucket goes
 * only when no version that references it is pending, assembling or frozen.
 *
 * A version moves pending (announced by the collector) -> assembling (the factory started) ->
 * assembled -> released (a newer version is assembled). Independently, optimisation runs freeze
 * (pin) the version they train on until they unfreeze it.
 *
 * Transitions are idempotent (releasing a released version changes nothing; beginning an assembly
 * the same owner began resumes it), so a message handled twice never wedges a role.
 *
 * A ledger bound to a holder (`heldBy`: the role's leadership) fences every write with the
 * holder's token, so a deposed leader's writes are refused (FencedWriteError), and keeps its
 * assemblies and freezes under the holder's lease as hold keys: when the owner dies, its holds
 * vanish with the lease, and `recover` (run by the next owner) rolls back what they guarded.
 * Released versions no longer frozen are garbage-collected (`collectGarbage`).
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
import type { Commit, FencingToken, Guard, Registry, RegistryEntry } from "./registry.ts";

/** What a bucket's registry entry holds. */
interface BucketRecord {
  /** Newest version that references the bucket, if any. */
  lastVersion: number | null;
}

/** Who writes through a bound ledger: its name, the lease its holds live on, its fence. */
export interface LedgerHolder {
  name: string;
  lease: string;
  fence: FencingToken;
}

/** How `beginAssembly` found the version. */
export type AssemblyStart = "begun" | "resumed" | "taken over" | "assembled" | "released";

/** What `recover` rolled back because its owner's lease ended. */
export interface Recovered {
  version: number;
  dataset: DatasetVersion;
  /** `assembly`: the version is pending again, to be assembled anew; `freeze`: the pin is gone. */
  kind: "assembly" | "freeze";
  reason: string;
}

/** A version's registry entry, the ledger entry it holds, and its live hold keys' names. */
interface VersionRead {
  read: RegistryEntry;
  entry: LedgerEntry;
  holds: Set<string>;
}

/** Dataset versions and buckets, kept in a Registry under one key prefix. */
export class DatasetLedger {
  readonly #registry: Registry;
  readonly #prefix: string;
  readonly #versionsPrefix: string;
  readonly #bucketsPrefix: string;
  readonly #holdsPrefix: string;
  readonly #holder: LedgerHolder | undefined;

  /** A ledger in `registry` under `prefix`; every process of a deployment must use the same. */
  constructor(registry: Registry, prefix = "retune/datasets/", holder?: LedgerHolder) {
    this.#registry = registry;
    this.#prefix = prefix;
    this.#versionsPrefix = `${prefix}versions/`;
    this.#bucketsPrefix = `${prefix}buckets/`;
    this.#holdsPrefix = `${prefix}holds/`;
    this.#holder = holder;
  }

  /** The key prefix the ledger lives under. */
  get prefix(): string {
    return this.#prefix;
  }

  /** The same ledger, writing fenced by `holder` and holding under its lease. */
  heldBy(holder: LedgerHolder): DatasetLedger {
    return new DatasetLedger(this.#registry, this.#prefix, holder);
  }

  /** Records a bucket the collector has filled, so versions may reference it (idempotent). */
  async registerBucket(bucket: number): Promise<void> {
    assertId("bucket", bucket);
    const record: BucketRecord = { lastVersion: null };
    await this.#commit({
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
      const committed = await this.#commit({
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

  /**
   * Moves a version from pending to assembling, held by this ledger's holder. Idempotent: an
   * assembly this owner began is resumed; one whose owner's lease ended is taken over; an
   * assembled or released version says so. One a live other owner holds is refused.
   */
  async beginAssembly(version: number): Promise<AssemblyStart> {
    let start: AssemblyStart = "begun";
    await this.#update(version, (entry, holds) => {
      const owner = this.#holder?.name;
      if (entry.state === "assembled" || entry.state === "released") {
        start = entry.state;
        return entry;
      }
      if (entry.state === "assembling") {
        const ownerAlive = entry.owner === undefined || holds.has(ASSEMBLY);
        if (ownerAlive && entry.owner !== owner) {
          throw new DatasetStateError(
            `cannot begin assembling dataset version ${version}: ${
              entry.owner ?? "another owner"
            } is assembling it`,
          );
        }
        start = ownerAlive ? "resumed" : "taken over";
        return { ...entry, owner };
      }
      return { ...withState(entry, "begin assembling", "pending", "assembling"), owner };
    }, (entry) => entry.state === "assembling" ? [ASSEMBLY] : []);
    return start;
  }

  /** Moves a version from assembling to assembled (a no-op if it is already past). */
  async finishAssembly(version: number): Promise<void> {
    await this.#update(version, (entry, holds) => {
      if (
        entry.state === "assembling" && entry.owner !== this.#holder?.name &&
        (entry.owner === undefined || holds.has(ASSEMBLY))
      ) {
        throw new DatasetStateError(
          `cannot finish assembling dataset version ${version}: ${
            entry.owner ?? "another owner"
          } is assembling it`,
        );
      }
      const { owner: _, ...rest } = withState(
        entry,
        "finish assembling",
        "assembling",
        "assembled",
      );
      return rest;
    });
  }

  /**
   * Moves an assembled version to released, once a newer version is assembled. A no-op if it is
   * released already, or was, and has been garbage-collected since.
   */
  async release(version: number): Promise<void> {
    assertId("version", version);
    const entries = await this.versions();
    // Versions never go back from assembled, so a newer one seen assembled stays so.
    const superseded = entries.some((entry) =>
      entry.dataset.version > version && (entry.state === "assembled" || entry.state === "released")
    );
    const collected = superseded && !entries.some((entry) => entry.dataset.version === version);
    if (collected) return;
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
      const { read, entry, holds } = await this.#readVersionWithHolds(version);
      if (entry.state === "released") {
        throw new DatasetStateError(
          `cannot freeze dataset version ${version} for run ${runId}: it is released`,
        );
      }
      if (effective(entry, holds).frozenBy.includes(runId)) return;
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
      const held = this.#holder !== undefined;
      const live = effective(entry, holds);
      const frozen: LedgerEntry = {
        ...live,
        frozenBy: [...live.frozenBy, runId],
        ...(held ? { heldFreezes: [...(live.heldFreezes ?? []), runId] } : {}),
      };
      const committed = await this.#commit({
        guards: [read, ...present].map(guardOf),
        puts: [
          { key: read.key, value: JSON.stringify(frozen) },
          ...(held ? [this.#holdPut(version, freezeHold(runId))] : []),
        ],
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
      const committed = await this.#commit({
        guards: frozen.map(({ read }) => guardOf(read)),
        puts: frozen.map(({ read, entry }) => {
          const unfrozen = withoutRun(entry, runId);
          return { key: read.key, value: JSON.stringify(unfrozen) };
        }),
        deletes: frozen.flatMap(({ entry, holds }) =>
          holds.has(freezeHold(runId))
            ? [this.#holdKey(entry.dataset.version, freezeHold(runId))]
            : []
        ),
      });
      if (committed) return frozen.map(({ entry }) => entry.dataset.version);
    }
  }

  /** The ledger's record of a version, if it was announced. */
  async version(version: number): Promise<LedgerEntry | undefined> {
    assertId("version", version);
    const read = await this.#registry.get(this.#versionKey(version));
    if (read === undefined) return undefined;
    return effective(parse(read), await this.#holdsOf(version));
  }

  /** Every announced version not yet collected, oldest first; ended holds left out. */
  async versions(): Promise<LedgerEntry[]> {
    return (await this.#readVersions()).map(({ entry, holds }) => effective(entry, holds));
  }

  /**
   * Rolls back what owners whose lease ended left: their freezes end, and their assemblies go
   * back to pending (to be assembled anew). Returns what it rolled back and why.
   */
  async recover(): Promise<Recovered[]> {
    const recovered: Recovered[] = [];
    for (const { entry, holds } of await this.#readVersions()) {
      const { version } = entry.dataset;
      const ended = (entry.heldFreezes ?? []).filter((run) => !holds.has(freezeHold(run)));
      const abandoned = entry.state === "assembling" && entry.owner !== undefined &&
        !holds.has(ASSEMBLY);
      if (ended.length === 0 && !abandoned) continue;
      let rolledBack = false;
      await this.#update(version, (current, liveHolds) => {
        const live = effective(current, liveHolds);
        rolledBack = live.state === "assembling" && live.owner !== undefined &&
          !liveHolds.has(ASSEMBLY);
        if (!rolledBack) return live;
        const { owner: _, ...rest } = live;
        return { ...rest, state: "pending" };
      });
      for (const run of ended) {
        recovered.push({
          version,
          dataset: entry.dataset,
          kind: "freeze",
          reason: `dataset v${version}: the freeze of run ${run} ended with its owner's lease`,
        });
      }
      if (rolledBack) {
        recovered.push({
          version,
          dataset: entry.dataset,
          kind: "assembly",
          reason: `dataset v${version}: the assembly by ${entry.owner} ended with its lease; ` +
            "rolled back to pending",
        });
      }
    }
    return recovered;
  }

  /**
   * Deletes the entries of released versions no run freezes any more (keeping the newest entry,
   * which numbers the next version); returns the versions collected.
   */
  async collectGarbage(): Promise<number[]> {
    const reads = await this.#readVersions();
    const newest = reads.at(-1)?.entry.dataset.version;
    const collectable = reads.filter(({ entry, holds }) =>
      entry.dataset.version !== newest && entry.state === "released" &&
      effective(entry, holds).frozenBy.length === 0
    );
    const collected: number[] = [];
    for (const { read, entry, holds } of collectable) {
      const { version } = entry.dataset;
      const deleted = await this.#commit({
        guards: [guardOf(read)],
        deletes: [read.key, ...[...holds].map((hold) => this.#holdKey(version, hold))],
      });
      if (deleted) collected.push(version);
    }
    return collected;
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
      if (referencing.some(({ entry, holds }) => isInUse(effective(entry, holds)))) return false;
      // Released versions never come back into use, so only the others need a guard.
      const revivable = referencing.filter(({ entry }) => entry.state !== "released");
      const deleted = await this.#commit({
        guards: [guardOf(read), ...revivable.map((version) => guardOf(version.read))],
        deletes: [key],
      });
      if (deleted) {
        await deleteFn(bucket);
        return true;
      }
    }
  }

  /**
   * Rewrites a version's entry with `change` (given the entry without ended holds), retrying on
   * conflict; keeps the holds `held` names under this ledger's lease and drops the others.
   */
  async #update(
    version: number,
    change: (entry: LedgerEntry, holds: Set<string>) => LedgerEntry,
    held: (entry: LedgerEntry) => string[] = () => [],
  ): Promise<void> {
    for (;;) {
      const { read, entry, holds } = await this.#readVersionWithHolds(version);
      const changed = change(effective(entry, holds), holds);
      if (changed === entry) return;
      const keep = this.#holder === undefined ? [] : held(changed);
      const stale = [ASSEMBLY].filter((hold) => holds.has(hold) && !keep.includes(hold));
      const committed = await this.#commit({
        guards: [guardOf(read)],
        puts: [
          { key: read.key, value: JSON.stringify(changed) },
          ...keep.map((hold) => this.#holdPut(version, hold)),
        ],
        deletes: stale.map((hold) => this.#holdKey(version, hold)),
      });
      if (committed) return;
    }
  }

  /** A commit, fenced by this ledger's holder if it has one. */
  #commit(change: Commit): Promise<boolean> {
    return this.#registry.commit({ ...change, fence: this.#holder?.fence });
  }

  /** A hold key put under this ledger's lease. */
  #holdPut(version: number, hold: string): { key: string; value: string; lease: string } {
    const holder = this.#holder!;
    return { key: this.#holdKey(version, hold), value: holder.name, lease: holder.lease };
  }

  #holdKey(version: number, hold: string): string {
    return `${this.#holdsPrefix}${padded(version)}/${hold}`;
  }

  /** The live holds of a version, by name. */
  async #holdsOf(version: number): Promise<Set<string>> {
    const prefix = `${this.#holdsPrefix}${padded(version)}/`;
    const reads = await this.#registry.list(prefix);
    return new Set(reads.map((read) => read.key.slice(prefix.length)));
  }

  /** A version's registry entry and live holds; a DatasetStateError if it was never announced. */
  async #readVersionWithHolds(version: number): Promise<VersionRead> {
    const read = await this.#readVersion(version);
    return { read, entry: parse(read), holds: await this.#holdsOf(version) };
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

  /**
   * Every version's registry entry, with the ledger entry it holds and its live holds. Holds are
   * read after the versions: a hold appears only with a rewrite of its version, so one that is
   * missing here has ended.
   */
  async #readVersions(): Promise<VersionRead[]> {
    const reads = await this.#registry.list(this.#versionsPrefix);
    const holdReads = await this.#registry.list(this.#holdsPrefix);
    const holds = new Map<string, Set<string>>();
    for (const { key } of holdReads) {
      const [version, ...name] = key.slice(this.#holdsPrefix.length).split("/");
      const set = holds.get(version) ?? new Set<string>();
      set.add(name.join("/"));
      holds.set(version, set);
    }
    return reads.map((read) => ({
      read,
      entry: parse(read),
      holds: holds.get(read.key.slice(this.#versionsPrefix.length)) ?? new Set(),
    }));
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

/** The hold key name of an assembly, and of a run's freeze. */
const ASSEMBLY = "assembly";
function freezeHold(runId: string): string {
  return `freeze/${encodeURIComponent(runId)}`;
}

/** The entry with the freezes whose hold ended left out. */
function effective(entry: LedgerEntry, holds: Set<string>): LedgerEntry {
  const ended = (entry.heldFreezes ?? []).filter((run) => !holds.has(freezeHold(run)));
  if (ended.length === 0) return entry;
  return ended.reduce(withoutRun, entry);
}

/** The entry without `runId`'s freeze. */
function withoutRun(entry: LedgerEntry, runId: string): LedgerEntry {
  const frozenBy = entry.frozenBy.filter((run) => run !== runId);
  const heldFreezes = entry.heldFreezes?.filter((run) => run !== runId);
  const { heldFreezes: _, ...rest } = entry;
  return heldFreezes === undefined || heldFreezes.length === 0
    ? { ...rest, frozenBy }
    : { ...rest, frozenBy, heldFreezes };
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
