/**
 * The life of a dataset version, as pure rules: pending (announced by the collector) ->
 * assembling (the factory started) -> assembled -> released (a newer version is assembled);
 * independently, optimisation runs freeze (pin) a version. A version in use keeps its buckets.
 * Transitions are idempotent: asking for the state a version is already in changes nothing.
 * The registry-backed ledger (`registry/dataset_ledger.ts`) applies these rules atomically.
 *
 * @module
 */

import type { DatasetVersion } from "./versions.ts";

/** Where a dataset version is in its life. */
export type DatasetState = "pending" | "assembling" | "assembled" | "released";

/** A dataset version as the ledger records it. */
export interface LedgerEntry {
  dataset: DatasetVersion;
  state: DatasetState;
  /** Optimisation runs that pinned this version; while any does, its buckets stay. */
  frozenBy: string[];
  /** Runs of `frozenBy` whose freeze is held under its owner's lease (ends with the owner). */
  heldFreezes?: string[];
  /** Who is assembling it (state assembling), when that assembly is held under a lease. */
  owner?: string;
}

/** A request the ledger refuses because of the state of a version or bucket. */
export class DatasetStateError extends Error {
  override readonly name = "DatasetStateError";
}

/** The order of states: a version only moves forward. */
const ORDER: readonly DatasetState[] = ["pending", "assembling", "assembled", "released"];

/**
 * The entry with its state moved `from` -> `to`; unchanged if it is already `to` or past it (a
 * repeated transition is a no-op); a DatasetStateError naming both states if it is not there yet.
 */
export function withState(
  entry: LedgerEntry,
  action: string,
  from: DatasetState,
  to: DatasetState,
): LedgerEntry {
  if (ORDER.indexOf(entry.state) >= ORDER.indexOf(to)) return entry;
  if (entry.state !== from) {
    throw new DatasetStateError(
      `cannot ${action} dataset version ${entry.dataset.version}: it is ${entry.state}, not ${from}`,
    );
  }
  return { ...entry, state: to };
}

/** The distinct buckets a version references. */
export function bucketsOf(dataset: DatasetVersion): number[] {
  return [...new Set(dataset.buckets.map((ref) => ref.bucket))];
}

/** Whether the version keeps its buckets: pending, assembling or frozen by a run. */
export function isInUse(entry: LedgerEntry): boolean {
  return entry.state === "pending" || entry.state === "assembling" || entry.frozenBy.length > 0;
}
