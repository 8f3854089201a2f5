import assert from "node:assert/strict";
import { ObserverState } from "../../../actors/observer/observer_state.ts";
import { SnapshotError } from "../../../actors/role_snapshot.ts";

function observing(): ObserverState {
  const state = new ObserverState();
  state.reportsSeen = 7;
  state.instructions.push(
    { action: "train", reason: "MCC fell", reportId: 3, streamTime: 3_000 },
    { action: "optimise", reason: "MCC fell again", reportId: 6, streamTime: 6_000 },
  );
  return state;
}

Deno.test("an observer snapshot survives JSON and restores the instructions sent", () => {
  const state = observing();
  const restored = ObserverState.restore(JSON.parse(JSON.stringify(state.snapshot())));
  assert.deepEqual(restored.snapshot(), state.snapshot());
  assert.deepEqual(restored.view(), state.view());
});

Deno.test("a bad observer snapshot is rejected naming the field", () => {
  const good = observing().snapshot();
  const bad: [unknown, RegExp][] = [
    [{ ...good, reportsSeen: "7" }, /observer snapshot rejected: reportsSeen: /],
    [
      { ...good, instructions: [{ ...good.instructions[0], action: "panic" }] },
      /observer snapshot rejected: instructions\.0\.action: /,
    ],
  ];
  for (const [snapshot, message] of bad) {
    assert.throws(() => ObserverState.restore(snapshot), SnapshotError);
    assert.throws(() => ObserverState.restore(snapshot), message);
  }
});
