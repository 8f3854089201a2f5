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
  /** Events published to the input topic but not yet processed, when known; -1 otherwise. */
  lag: number;
  modelVersion: number;
  creationMethod: CreationMethod;
}
