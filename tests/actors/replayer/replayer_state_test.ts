import assert from "node:assert/strict";
import { ReplayerState } from "../../../actors/replayer/replayer_state.ts";
import { SnapshotError } from "../../../actors/role_snapshot.ts";

function replaying(): ReplayerState {
  const state = new ReplayerState("/data/stream.csv", 1);
  state.sent = 2_000;
  state.rejected = 3;
  state.lastRejectedLine = 1_204;
  return state;
}

Deno.test("a replayer snapshot survives JSON and restores file, rotation and position", () => {
  const state = replaying();
  const restored = ReplayerState.restore(JSON.parse(JSON.stringify(state.snapshot())));
  assert.deepEqual(restored.view(), {
    file: "/data/stream.csv",
    rotateMonths: 1,
    sent: 2_000,
    rejected: 3,
    lastRejectedLine: 1_204,
    finished: false,
  });
});

Deno.test("a bad replayer snapshot is rejected naming the field", () => {
  const good = replaying().snapshot();
  const bad: [unknown, RegExp][] = [
    [{ ...good, file: "" }, /replayer snapshot rejected: file: /],
    [{ ...good, sent: -5 }, /replayer snapshot rejected: sent: /],
    [{ ...good, finished: "yes" }, /replayer snapshot rejected: finished: /],
  ];
  for (const [snapshot, message] of bad) {
    assert.throws(() => ReplayerState.restore(snapshot), SnapshotError);
    assert.throws(() => ReplayerState.restore(snapshot), message);
  }
});
