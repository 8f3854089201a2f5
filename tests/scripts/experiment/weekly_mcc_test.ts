/** The drift bench's figure: each week's MCC from the week's summed counts, averaged over weeks. */

import assert from "node:assert/strict";
import { scoresOf } from "../../../models/scoring.ts";
import { meanWeeklyMcc, WEEK_MS } from "../../../scripts/experiment/weekly_mcc.ts";

/** A report over [start, end) days from day 0 with these confusion counts. */
function report(startDay: number, endDay: number, tp: number, tn: number, fp: number, fn: number) {
  const day = WEEK_MS / 7;
  return {
    streamTimeStart: startDay * day,
    streamTimeEnd: endDay * day,
    batch: scoresOf({ tp, tn, fp, fn }),
  };
}

Deno.test("with weekly reports the figure is the mean of the reports' MCCs", () => {
  const reports = [report(0, 7, 8, 80, 2, 10), report(7, 14, 3, 90, 5, 2)];
  const expected = (reports[0].batch.mcc + reports[1].batch.mcc) / 2;
  assert.ok(Math.abs(meanWeeklyMcc(reports) - expected) < 1e-12);
});

Deno.test("half-week reports count as one week from their summed counts, not as two figures", () => {
  // A poor half-week (few events) and a good one: the week's MCC is the pooled one.
  const reports = [
    report(0, 3.5, 1, 10, 5, 4),
    report(3.5, 7, 40, 400, 2, 3),
    report(7, 10.5, 20, 200, 1, 1),
    report(10.5, 14, 20, 200, 1, 1),
  ];
  const first = scoresOf({ tp: 41, tn: 410, fp: 7, fn: 7 }).mcc;
  const second = scoresOf({ tp: 40, tn: 400, fp: 2, fn: 2 }).mcc;
  assert.ok(Math.abs(meanWeeklyMcc(reports, 2) - (first + second) / 2) < 1e-12);
  const halves = reports.reduce((sum, r) => sum + r.batch.mcc, 0) / reports.length;
  assert.ok(Math.abs(meanWeeklyMcc(reports, 2) - halves) > 0.05, "not the mean of the halves");
});

Deno.test("only whole weeks count: the stream's last half-week is left out", () => {
  // The engine reports a window only once an event passes its end, so a stream ending inside a
  // week leaves it with fewer reports than its cadence; a weekly cadence never reports it at all.
  const whole = [report(0, 3.5, 10, 100, 1, 1), report(3.5, 7, 10, 100, 1, 1)];
  const partial = report(7, 10.5, 0, 100, 10, 10);
  assert.equal(meanWeeklyMcc([...whole, partial], 2), meanWeeklyMcc(whole, 2));
  assert.equal(meanWeeklyMcc([partial], 2), 0);
});

Deno.test("weeks start at the first report, a report belongs where its middle falls; none is 0", () => {
  // Starting a little after a grid line, the first week still holds both of its half-weeks.
  const reports = [report(0.2, 3.5, 5, 50, 0, 0), report(3.5, 7, 0, 50, 5, 5)];
  assert.equal(meanWeeklyMcc(reports), scoresOf({ tp: 5, tn: 100, fp: 5, fn: 5 }).mcc);
  assert.equal(meanWeeklyMcc([]), 0);
});
