/**
 * The shared catalogue of model versions: the factory numbers and records every model it ships,
 * with its lineage, and keeps the record when the artifact is retired; an engine that (re)starts
 * loads the newest one from here instead of waiting for a message. One key designates the live
 * version, which serving replicas load: a new newest model designates itself as it is recorded,
 * and a rollback designates an earlier one whose artifact is still kept.
 *
 * Entries are JSON (`ModelRecord`, `Designation`); records written before lineage was kept read
 * with no parent.
 *
 * @module
 */

import type { Designation, ModelRecord } from "../core/model_record.ts";
import type { ModelVersion } from "../core/versions.ts";
import type { Registry, RegistryWatch } from "./registry.ts";

const PREFIX = "retune/models/";
const COUNTER = `${PREFIX}counter`;
const VERSION_PREFIX = `${PREFIX}v/`;
const LIVE = `${PREFIX}live`;

/** Versions are zero-padded so registry listings sort numerically. */
function versionKey(version: number): string {
  return `${VERSION_PREFIX}${String(version).padStart(10, "0")}`;
}

/** A version that cannot be designated: unknown, or its artifact retired. */
export class ModelVersionUnavailableError extends Error {
  override readonly name = "ModelVersionUnavailableError";

  /** `why` completes "version N ...". */
  constructor(readonly version: number, why: string) {
    super(`version ${version} ${why}`);
  }
}

/** Model versions kept in a Registry, numbered by a guarded counter. */
export class ModelCatalog {
  readonly #registry: Registry;

  /** Wraps a registry shared by every process of one Retune deployment. */
  constructor(registry: Registry) {
    this.#registry = registry;
  }

  /** Reserves the next model version number (0 for the first model), safe across processes. */
  async nextVersion(): Promise<number> {
    for (;;) {
      const current = await this.#registry.get(COUNTER);
      const next = current === undefined ? 0 : Number(current.value) + 1;
      const won = await this.#registry.commit({
        guards: [{ key: COUNTER, revision: current?.revision ?? 0 }],
        puts: [{ key: COUNTER, value: String(next) }],
      });
      if (won) return next;
    }
  }

  /** The version shipped in answer to factory command `requestId`, if any. */
  async answering(requestId: string): Promise<ModelRecord | undefined> {
    return (await this.list()).find((model) => model.requestId === requestId);
  }

  /**
   * Records a shipped model version, its parent being the version live now; the newest version
   * goes live with it. Recording a version again keeps its first record.
   */
  async record(model: ModelVersion): Promise<ModelRecord> {
    for (;;) {
      const [existing, live, all] = await Promise.all([
        this.#registry.get(versionKey(model.version)),
        this.#registry.get(LIVE),
        this.list(),
      ]);
      if (existing !== undefined) return recordOf(existing.value);
      const newest = all.at(-1);
      const parent = live === undefined ? newest?.version ?? null : designationOf(live).version;
      const record: ModelRecord = {
        ...model,
        lineage: { parent, reason: model.creationMethod },
        artifactRetiredAt: null,
      };
      // A version numbered before one already recorded (two jobs finishing out of order) is kept
      // but does not go live over the newer one.
      const goesLive = newest === undefined || model.version > newest.version;
      const designation: Designation = {
        version: model.version,
        designatedAt: Date.now(),
        by: "factory",
        reason: `new ${model.creationMethod} model`,
      };
      const won = await this.#registry.commit({
        guards: [
          { key: LIVE, revision: live?.revision ?? 0 },
          { key: versionKey(model.version), revision: 0 },
        ],
        puts: [
          { key: versionKey(model.version), value: JSON.stringify(record) },
          ...(goesLive ? [{ key: LIVE, value: JSON.stringify(designation) }] : []),
        ],
      });
      if (won) return record;
    }
  }

  /**
   * Makes `version` the live one (a rollback, or going forward again); rejects with a
   * ModelVersionUnavailableError when it is unknown or its artifact was retired. Idempotent.
   */
  async designate(version: number, by: string, reason: string): Promise<Designation> {
    if (!Number.isInteger(version) || version < 0) {
      throw new RangeError(`version must be an integer >= 0: current value is ${version}`);
    }
    for (;;) {
      const entry = await this.#registry.get(versionKey(version));
      if (entry === undefined) {
        throw new ModelVersionUnavailableError(version, "is not in the model catalogue");
      }
      const record = recordOf(entry.value);
      if (record.artifactRetiredAt !== null) {
        throw new ModelVersionUnavailableError(
          version,
          `cannot go live: its artifact was retired at ${
            new Date(record.artifactRetiredAt).toISOString()
          }`,
        );
      }
      const designation: Designation = { version, designatedAt: Date.now(), by, reason };
      // Guarded on the record: a retirement in between makes this try again and refuse.
      const won = await this.#registry.commit({
        guards: [{ key: versionKey(version), revision: entry.revision }],
        puts: [{ key: LIVE, value: JSON.stringify(designation) }],
      });
      if (won) return designation;
    }
  }

  /** The designation of the live version, if one was made. */
  async designation(): Promise<Designation | undefined> {
    const entry = await this.#registry.get(LIVE);
    return entry === undefined ? undefined : designationOf(entry);
  }

  /** The live version: the designated one, else (a catalogue from before designations) the newest. */
  async live(): Promise<ModelRecord | undefined> {
    const designation = await this.designation();
    if (designation === undefined) return await this.latest();
    return await this.get(designation.version);
  }

  /** Calls `onChange` after each change of the catalogue (a new version, a designation). */
  watch(onChange: () => void): Promise<RegistryWatch> {
    return this.#registry.watch(PREFIX, onChange);
  }

  /** The record of `version`, if any. */
  async get(version: number): Promise<ModelRecord | undefined> {
    const entry = await this.#registry.get(versionKey(version));
    return entry === undefined ? undefined : recordOf(entry.value);
  }

  /** The newest recorded model version, if any. */
  async latest(): Promise<ModelRecord | undefined> {
    const all = await this.list();
    return all.at(-1);
  }

  /** Every recorded model version, oldest first, retired artifacts included. */
  async list(): Promise<ModelRecord[]> {
    const entries = await this.#registry.list(VERSION_PREFIX);
    return entries.map((entry) => recordOf(entry.value));
  }

  /**
   * Marks `version`'s artifact retired, so it can no longer go live, and answers whether the
   * caller may now delete it: false while the version is live. The record stays. Idempotent.
   */
  async retire(version: number): Promise<boolean> {
    for (;;) {
      const [entry, live] = await Promise.all([
        this.#registry.get(versionKey(version)),
        this.#registry.get(LIVE),
      ]);
      if (entry === undefined) return false;
      const record = recordOf(entry.value);
      if (record.artifactRetiredAt !== null) return true;
      if (live !== undefined && designationOf(live).version === version) return false;
      const retired: ModelRecord = { ...record, artifactRetiredAt: Date.now() };
      const won = await this.#registry.commit({
        guards: [
          { key: versionKey(version), revision: entry.revision },
          { key: LIVE, revision: live?.revision ?? 0 },
        ],
        puts: [{ key: versionKey(version), value: JSON.stringify(retired) }],
      });
      if (won) return true;
    }
  }
}

/** A stored record; one written before lineage was kept has no parent. */
function recordOf(value: string): ModelRecord {
  const stored = JSON.parse(value) as ModelVersion & Partial<ModelRecord>;
  return {
    ...stored,
    lineage: stored.lineage ?? { parent: null, reason: stored.creationMethod },
    artifactRetiredAt: stored.artifactRetiredAt ?? null,
  };
}

function designationOf(entry: { value: string }): Designation {
  return JSON.parse(entry.value) as Designation;
}
