/**
 * Hand-made metrics series for the retrain-policy tests.
 *
 * @module
 */

import type { MetricsReport } from "../../../core/metrics_report.ts";
import type { Scores } from "../../../core/scores.ts";
import type { Decision, RetrainPolicy } from "../../../policies/retrain/retrain_policy.ts";

/**
 * One step of a series: a batch MCC; `null` for a batch in which no forecast was resolved; or
 * `{ swap }`, which is no report but makes the following reports come from model version `swap`.
 */
export type Step = number | null | { swap: number };

/** The decisions a policy takes over a series, as [reportId, action] with ids counting reports. */
export function decisions(policy: RetrainPolicy, series: readonly Step[]): [number, string][] {
  return detailed(policy, series).map(([id, decision]) => [id, decision.action]);
}

/** The decisions with their reasons. */
export function detailed(policy: RetrainPolicy, series: readonly Step[]): [number, Decision][] {
  const taken: [number, Decision][] = [];
  let modelVersion = -1;
  let reportId = 0;
  for (const step of series) {
    if (step !== null && typeof step === "object") {
      modelVersion = step.swap;
      continue;
    }
    const decision = policy.observe(report(reportId, step, modelVersion));
    if (decision !== null) taken.push([reportId, decision]);
    reportId++;
  }
  return taken;
}

/**
 * A report whose batch has MCC `mcc`, or no resolved forecast at all when `mcc` is null, from a
 * model whose validation MCC was `validationMcc` (unknown by default).
 */
export function report(
  reportId: number,
  mcc: number | null,
  modelVersion: number,
  validationMcc: number | null = null,
): MetricsReport {
  const counts = mcc === null ? { tp: 0, tn: 0, fp: 0, fn: 0 } : { tp: 5, tn: 80, fp: 5, fn: 10 };
  const batch: Scores = {
    ...counts,
    precision: 0,
    recall: 0,
    f1: 0,
    specificity: 0,
    mcc: mcc ?? 0,
  };
  return {
    reportId,
    streamTimeStart: reportId * 1000,
    streamTimeEnd: reportId * 1000 + 999,
    batch,
    cumulative: batch,
    eventsInBatch: 1000,
    eventsProcessed: (reportId + 1) * 1000,
    eventsPerSecond: 1000,
    lag: -1,
    modelVersion,
    modelValidationMcc: validationMcc,
    creationMethod: modelVersion < 0 ? "initial" : "retrain",
  };
}
