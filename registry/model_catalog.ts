/**
 * The shared catalogue of model versions: the factory numbers and records every model it ships,
 * and an engine that (re)starts loads the newest one from here instead of waiting for a message.
 *
 * @module
 */

import type { ModelVersion } from "../core/versions.ts";
import type { Registry } from "./registry.ts";

const PREFIX = "retune/models/";
const COUNTER = `${PREFIX}counter`;
const VERSION_PREFIX = `${PREFIX}v/`;

/** Versions are zero-padded so registry listings sort numerically. */
function versionKey(version: number): string {
  return `${VERSION_PREFIX}${String(version).padStart(10, "0")}`;
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

  /** Records a shipped model version. */
  async record(model: ModelVersion): Promise<void> {
    await this.#registry.commit({
      puts: [{ key: versionKey(model.version), value: JSON.stringify(model) }],
    });
  }

  /** The newest recorded model version, if any. */
  async latest(): Promise<ModelVersion | undefined> {
    const all = await this.list();
    return all.at(-1);
  }

  /** Every recorded model version, oldest first. */
  async list(): Promise<ModelVersion[]> {
    const entries = await this.#registry.list(VERSION_PREFIX);
    return entries.map((entry) => JSON.parse(entry.value) as ModelVersion);
  }

  /** Forgets a model version (its artifact is deleted by the caller). */
  async forget(version: number): Promise<void> {
    await this.#registry.commit({ deletes: [versionKey(version)] });
  }
}
