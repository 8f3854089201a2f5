import assert from "node:assert/strict";
import type { WindowCounts } from "../../../core/window_counts.ts";
import { type MergedWindow, WindowMerge } from "../../../actors/observer/window_merge.ts";
import { SnapshotError } from "../../../actors/role_snapshot.ts";

const P = 100;

/** Partition `partition`'s record of window `start`, closed up to `closedUntil`. */
function counts(
  partition: number,
  start: number,
  events: number,
  tp = 0,
  closedUntil = start + P,
): WindowCounts {
  return {
    partition,
    windowStart: start,
    windowEnd: start + P,
    closedUntil,
    events,
    tp,
    tn: events - tp,
    fp: 0,
    fn: 0,
    modelVersion: 1,
    creationMethod: "initial",
    modelValidationMcc: 0.5,
  };
}

/** Window starts, events and tp of merged windows. */
function brief(windows: readonly MergedWindow[]): [number, number, number, number][] {
  return windows.map((w) => [w.reportId, w.start, w.events, w.tp]);
}

/** Two partitions' records of three windows (partition 1 had nothing in window 100). */
const RECORDS = [
  counts(0, 0, 10, 1),
  counts(0, 100, 20, 2),
  counts(1, 0, 5, 1, 200),
  counts(0, 200, 30, 3),
  counts(1, 200, 7, 0),
];

Deno.test("a window is merged once every partition closed it, in stream order", () => {
  const merge = new WindowMerge();
  assert.equal(merge.take(RECORDS[0]), "added");
  assert.equal(merge.take(RECORDS[1]), "added");
  assert.deepEqual(merge.due(2, 0, 1_000).merged, [], "partition 1 closed nothing yet");
  merge.take(RECORDS[2]);
  // Partition 1 closed up to 200: windows 0 and 100 (which it had no events in) are due.
  assert.deepEqual(brief(merge.due(2, 0, 1_000).merged), [[0, 0, 15, 2], [1, 100, 20, 2]]);
  merge.take(RECORDS[3]);
  merge.take(RECORDS[4]);
  const [last] = merge.due(2, 0, 1_000).merged;
  assert.deepEqual(brief([last]), [[2, 200, 37, 3]]);
  assert.deepEqual(last.cumulative, { tp: 7, tn: 65, fp: 0, fn: 0, events: 72 });
});

Deno.test("records out of order and repeated give the same series", () => {
  const inOrder = new WindowMerge();
  for (const record of RECORDS) inOrder.take(record);
  const expected = inOrder.due(2, 0, 1_000).merged;

  const shuffled = new WindowMerge();
  const taken = [4, 2, 4, 0, 3, 1, 0, 2].map((i) => shuffled.take(RECORDS[i]));
  assert.deepEqual(taken, [
    "added",
    "added",
    "repeated",
    "added",
    "added",
    "added",
    "repeated",
    "repeated",
  ]);
  assert.deepEqual(shuffled.due(2, 0, 1_000).merged, expected);
  // A repeat after the merge changes nothing either.
  assert.equal(shuffled.take(RECORDS[0]), "repeated");
  assert.deepEqual(shuffled.due(2, 0, 1_000).merged, []);
});

Deno.test("a restored merge goes on without losing or repeating a window", () => {
  const whole = new WindowMerge();
  for (const record of RECORDS) whole.take(record);
  const expected = whole.due(2, 0, 1_000).merged;

  const first = new WindowMerge();
  for (const record of RECORDS.slice(0, 3)) first.take(record);
  const before = first.due(2, 0, 1_000).merged;
  const stored = JSON.parse(JSON.stringify(first.snapshot()));
  const second = WindowMerge.restore(stored);
  assert.deepEqual(second.snapshot(), first.snapshot());
  // The records come again (their offsets were not committed), then the rest.
  for (const record of RECORDS) second.take(record);
  const after = second.due(2, 0, 1_000).merged;
  assert.deepEqual([...before, ...after], expected);
  assert.deepEqual(second.unpublished.map((w) => w.reportId), [0, 1, 2], "none published yet");
  second.published(1);
  assert.deepEqual(second.unpublished.map((w) => w.reportId), [2]);
});

Deno.test("a silent partition holds a window up to the deadline, then counts as idle", () => {
  const merge = new WindowMerge();
  merge.take(counts(0, 0, 10));
  merge.take(counts(0, 100, 10));
  assert.deepEqual(merge.due(2, 1_000, 500).merged, [], "partition 1 said nothing");
  assert.deepEqual(merge.due(2, 1_400, 500).merged, [], "not yet past the deadline");
  const { merged, idled } = merge.due(2, 1_500, 500);
  assert.deepEqual(idled, [{ windowStart: 0, partitions: [1] }]);
  assert.deepEqual(brief(merged), [[0, 0, 10, 0], [1, 100, 10, 0]]);
  // Its late record of a merged window is refused; once it reports, it is waited for again.
  assert.equal(merge.take(counts(1, 0, 4)), "late");
  merge.take(counts(0, 200, 10));
  assert.deepEqual(merge.due(2, 1_600, 500).merged, [], "partition 1 closed only up to 100");
  merge.take(counts(1, 200, 3));
  assert.deepEqual(brief(merge.due(2, 1_700, 500).merged), [[2, 200, 13, 0]]);
});

Deno.test("a partition behind that still reports is waited for, however long", () => {
  const merge = new WindowMerge();
  merge.take(counts(0, 0, 10, 0, 100), { now: 0 });
  merge.take(counts(0, 100, 10, 0, 500), { now: 0 });
  merge.take(counts(1, 0, 10), { now: 0 });
  assert.deepEqual(brief(merge.due(2, 0, 500).merged), [[0, 0, 20, 0]]);
  // Partition 1 is busy in window 100: its engine says so (a progress record, no events).
  assert.equal(merge.take(counts(1, 0, 0), { counts: false, now: 900 }), "progress");
  const { merged, idled } = merge.due(2, 1_000, 500);
  assert.deepEqual(idled, [], "partition 1 spoke 100 ms ago");
  assert.deepEqual(merged, []);
  assert.deepEqual(merge.due(2, 1_400, 500).idled, [{ windowStart: 100, partitions: [1] }]);
});

Deno.test("progress records and windows without events only move a partition's frontier", () => {
  const merge = new WindowMerge();
  merge.take(counts(0, 0, 10));
  assert.equal(merge.take(counts(1, 0, 3), { counts: false }), "progress");
  assert.equal(merge.take(counts(2, 0, 0)), "progress");
  assert.deepEqual(brief(merge.due(3, 0, 1_000).merged), [[0, 0, 10, 0]]);
});

Deno.test("a bad record or snapshot is refused naming the field", () => {
  const merge = new WindowMerge();
  assert.throws(() => merge.take(counts(-1, 0, 1)), /partition must be an integer >= 0/);
  assert.throws(
    () => merge.take({ ...counts(0, 0, 1), closedUntil: 50 }),
    /windowStart < windowEnd <= closedUntil: current values are 0, 100, 50/,
  );
  const good = merge.snapshot();
  assert.throws(
    () => WindowMerge.restore({ ...good, nextReportId: -1 }),
    (error) => error instanceof SnapshotError && /nextReportId/.test(error.message),
  );
});

Deno.test("a window's decision is kept with it until the window is published", () => {
  const merge = new WindowMerge();
  for (const record of RECORDS) merge.take(record);
  const [first] = merge.due(2, 0, 1_000).merged;
  assert.equal(first.decision, null);
  merge.decided(first.reportId, { action: "optimise", reason: "MCC fell", since: 0 });
  const restored = WindowMerge.restore(JSON.parse(JSON.stringify(merge.snapshot())));
  assert.deepEqual(restored.unpublished[0].decision, {
    action: "optimise",
    reason: "MCC fell",
    since: 0,
  });
  restored.published(first.reportId);
  assert.throws(
    () => restored.decided(first.reportId, null),
    /reportId must be an unpublished window's: current value is 0/,
  );
});
