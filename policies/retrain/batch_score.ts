/**
 * The score every retrain policy judges a model by: the batch MCC of a metrics report.
 *
 * @module
 */

import type { MetricsReport } from "../../core/metrics_report.ts";

/**
 * The report's batch MCC, or null when no forecast was resolved in its batch: MCC is 0 there
 * because nothing was measured, not because the model is bad, so such a report is no evidence.
 */
export function batchScore(report: MetricsReport): number | null {
  const { tp, tn, fp, fn, mcc } = report.batch;
  return tp + tn + fp + fn === 0 ? null : mcc;
}

/** A score, slope or drop as decisions' reasons show it: three decimals. */
export function formatScore(value: number): string {
  return value.toFixed(3);
}
