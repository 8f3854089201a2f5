/**
 * One input partition's share of one window of the metrics series: the engine scores each input
 * partition on an absolute stream-time grid and the observer merges the partitions' shares into
 * one report, so the series does not depend on how many engines share the input.
 *
 * @module
 */

import type { CreationMethod } from "./versions.ts";

/** One input partition's confusion counts and events in one closed grid window. */
export interface WindowCounts {
  partition: number;
  /** Start of the window, epoch ms: a multiple of the period. */
  windowStart: number;
  /** End of the window (exclusive), epoch ms. */
  windowEnd: number;
  /**
   * Start of the partition's next open window: the partition closed every window before it
   * (those it had no events in have no counts).
   */
  closedUntil: number;
  events: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  /** Model version in use when the window closed; -1 in a record that only says how far. */
  modelVersion: number;
  creationMethod: CreationMethod;
  /** MCC the model reached on its held-out validation data; null if unknown. */
  modelValidationMcc: number | null;
}
