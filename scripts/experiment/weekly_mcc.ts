/**
 * The drift bench's figure: the mean weekly MCC. Each week's MCC comes from the confusion counts
 * summed over the reports of that week, so the figure means the same whether the engine reports
 * once a week or several times (a half-week report's MCC is not half a week's).
 *
 * @module
 */

import type { MetricsReport } from "../../core/metrics_report.ts";
import { addConfusion, type Confusion, emptyConfusion, scoresOf } from "../../models/scoring.ts";

/** A week of stream time, in ms. */
export const WEEK_MS = 604_800_000;

/**
 * The mean over weeks of each week's MCC; weeks start at the first report's start (the engine's
 * report grid starts at the first event), and a report belongs to the week its middle falls in.
 * Only whole weeks count: those with `reportsPerWeek` reports (the stream's last, partial week
 * has fewer). 0 with no whole week.
 */
export function meanWeeklyMcc(
  reports: readonly Pick<MetricsReport, "streamTimeStart" | "streamTimeEnd" | "batch">[],
  reportsPerWeek = 1,
): number {
  if (reports.length === 0) return 0;
  const origin = reports[0].streamTimeStart;
  const weeks = new Map<number, { reports: number; counts: Confusion }>();
  for (const { streamTimeStart, streamTimeEnd, batch } of reports) {
    const index = Math.floor(((streamTimeStart + streamTimeEnd) / 2 - origin) / WEEK_MS);
    const week = weeks.get(index) ?? { reports: 0, counts: emptyConfusion() };
    week.reports++;
    addConfusion(week.counts, batch);
    weeks.set(index, week);
  }
  const mccs = [...weeks.values()]
    .filter((week) => week.reports >= reportsPerWeek)
    .map((week) => scoresOf(week.counts).mcc);
  return mccs.length === 0 ? 0 : mccs.reduce((sum, mcc) => sum + mcc, 0) / mccs.length;
}
