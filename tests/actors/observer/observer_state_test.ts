import assert from "node:assert/strict";
import { ObserverState } from "../../../actors/observer/observer_state.ts";
import { SnapshotError } from "../../../actors/role_snapshot.ts";
import { createRetrainPolicy } from "../../../config/build_policies.ts";
import { retrainSection } from "../../fixtures/config_sections.ts";
import { decisions } from "../../policies/retrain/reports.ts";

const trend = () => createRetrainPolicy(retrainSection({ kind: "trend" }));

/** An observer whose policy is half-way to a decision: two declining scores of three. */
function observing(): ObserverState {
  const state = new ObserverState(trend());
  assert.deepEqual(decisions(state.policy, [0.8, 0.7]), []);
  state.reportsSeen = 7;
  state.instructions.push(
    { action: "train", reason: "MCC fell", reportId: 3, streamTime: 3_000 },
    { action: "optimise", reason: "MCC fell again", reportId: 6, streamTime: 6_000 },
  );
  return state;
}

Deno.test("an observer snapshot survives JSON and restores the instructions and the policy", () => {
  const state = observing();
  const restored = ObserverState.restore(JSON.parse(JSON.stringify(state.snapshot())), trend());
  assert.deepEqual(restored.snapshot(), state.snapshot());
  assert.deepEqual(restored.view(), state.view());
  assert.equal("policy" in restored.view(), false, "the policy's state is not reported");
  // The restored policy goes on from its window: the next decline completes it.
  assert.deepEqual(decisions(restored.policy, [0.6]), [[0, "train"]]);
});

Deno.test("a bad observer snapshot is rejected naming the field", () => {
  const good = observing().snapshot();
  const bad: [unknown, RegExp][] = [
    [{ ...good, reportsSeen: "7" }, /observer snapshot rejected: reportsSeen: /],
    [
      { ...good, instructions: [{ ...good.instructions[0], action: "panic" }] },
      /observer snapshot rejected: instructions\.0\.action: /,
    ],
    [{ ...good, policy: undefined }, /observer snapshot rejected: policy: /],
    [{ ...good, policy: { members: [] } }, /observer snapshot rejected: policy: composite /],
  ];
  for (const [snapshot, message] of bad) {
    assert.throws(() => ObserverState.restore(snapshot, trend()), SnapshotError);
    assert.throws(() => ObserverState.restore(snapshot, trend()), message);
  }
});

Deno.test("the observer's merge survives its durable snapshot; one stored before merging is empty", () => {
  const state = observing();
  const record = {
    partition: 0,
    windowStart: 0,
    windowEnd: 100,
    closedUntil: 100,
    events: 5,
    tp: 1,
    tn: 4,
    fp: 0,
    fn: 0,
    modelVersion: 2,
    creationMethod: "retrain" as const,
    modelValidationMcc: null,
  };
  state.merge.take(record);
  state.merge.take({ ...record, partition: 1, windowStart: 100, windowEnd: 200, closedUntil: 200 });
  const restored = ObserverState.restore(JSON.parse(JSON.stringify(state.snapshot())), trend());
  assert.equal(restored.merge.pendingWindows, 2);
  assert.deepEqual(restored.merge.due(2, 0, 1_000), state.merge.due(2, 0, 1_000));
  assert.equal(restored.merge.take(record), "repeated", "window 0 was merged");

  const { merge: _, ...before } = observing().snapshot();
  assert.equal(ObserverState.restore(before, trend()).merge.pendingWindows, 0);
  assert.throws(
    () => ObserverState.restore({ ...before, merge: { pending: "x" } }, trend()),
    /observer merge snapshot rejected/,
  );
});
