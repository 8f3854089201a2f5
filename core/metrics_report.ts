/**
 * One point of the metrics series the engine emits and the observer judges.
 *
 * @module
 */

import type { Scores } from "./scores.ts";
import type { CreationMethod } from "./versions.ts";

/** The engine's periodic metrics report. */
export interface MetricsReport {
  reportId: number;
  /** Stream time covered by this batch, epoch ms. */
  streamTimeStart: number;
  streamTimeEnd: number;
  batch: Scores;
  cumulative: Scores;
  eventsInBatch: number;
  eventsProcessed: number;
  eventsPerSecond: number;
  /**
   * Input records (event batches) published but not yet committed by the engines' group, summed
   * over the partitions, from the broker; -1 when unknown.
   */
  lag: number;
  modelVersion: number;
  creationMethod: CreationMethod;
  /** MCC the model reached on its held-out validation data when it was made; null if unknown. */
  modelValidationMcc: number | null;
}
