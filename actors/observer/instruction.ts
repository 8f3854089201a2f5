/**
 * The instruction an observer decision makes.
 *
 * @module
 */

import type { Instruction } from "../../protocol/messages.ts";
import type { MetricsReport } from "../../core/metrics_report.ts";

/** What of the judged report an instruction carries. */
export type JudgedReport = Pick<
  MetricsReport,
  "reportId" | "streamTimeStart" | "modelVersion" | "batch"
>;

/**
 * The instruction a decision on `report` makes. An optimisation is asked to test its candidates
 * on the data since the fall the decision names began (`decision.since`), else since the judged
 * window began: the score fell there, so that is the regime the next model must serve. Each
 * carries the report's model and batch MCC, how the live model fares in service.
 */
export function instructionOf(
  decision: Pick<Instruction, "action" | "reason"> & { since?: number },
  report: JudgedReport,
): Instruction {
  const { action, reason } = decision;
  const { reportId } = report;
  // A report before any model served (-1) says nothing of a live model.
  const live = report.modelVersion < 0
    ? {}
    : { liveVersion: report.modelVersion, liveMcc: report.batch.mcc };
  return action === "optimise"
    ? { action, reason, reportId, since: decision.since ?? report.streamTimeStart, ...live }
    : { action, reason, reportId, ...live };
}
