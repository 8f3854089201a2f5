import assert from "node:assert/strict";
import { EngineState } from "../../../actors/engine/engine_state.ts";
import { SnapshotError } from "../../../actors/role_snapshot.ts";

function running(): EngineState {
  const state = new EngineState();
  state.swapped(0, 1_000);
  state.eventsProcessed = 120;
  state.deadLetters = 2;
  state.forecasts = 90;
  state.detections = 4;
  state.swapped(1, 5_000);
  return state;
}

Deno.test("an engine snapshot survives JSON and restores the same state", () => {
  const state = running();
  const restored = EngineState.restore(JSON.parse(JSON.stringify(state.snapshot())));
  assert.deepEqual(restored.snapshot(), state.snapshot());
  assert.deepEqual(restored.view(), state.view());
  assert.equal(restored.view().modelVersion, 1);
  assert.deepEqual(restored.view().swaps.at(-1), {
    modelVersion: 1,
    streamTime: 5_000,
    eventsProcessed: 120,
  });
});

Deno.test("a fresh engine reports no model and no events", () => {
  assert.deepEqual(new EngineState().view(), {
    modelVersion: null,
    eventsProcessed: 0,
    deadLetters: 0,
    forecasts: 0,
    detections: 0,
    swaps: [],
    byModel: {},
  });
});

Deno.test("swaps are counted per fleet model and survive a restart", () => {
  const state = new EngineState();
  state.swapped(0, 1_000, "north");
  state.swapped(0, 1_000, "south");
  state.swapped(1, 2_000, "north");
  const restored = EngineState.restore(state.snapshot());
  assert.deepEqual(restored.view().byModel, {
    north: { modelVersion: 1, swaps: 2, eventsProcessed: 0, forecasts: 0 },
    south: { modelVersion: 0, swaps: 1, eventsProcessed: 0, forecasts: 0 },
  });
});

Deno.test("the engine's view is a copy: changing it changes nothing", () => {
  const state = running();
  const view = state.view() as { swaps: unknown[] };
  view.swaps.length = 0;
  assert.equal(state.view().swaps.length, 2);
});

Deno.test("a bad engine snapshot is rejected naming the field", () => {
  const good = running().snapshot();
  const bad: [unknown, RegExp][] = [
    [{ ...good, eventsProcessed: -1 }, /engine snapshot rejected: eventsProcessed: /],
    [{ ...good, modelVersion: "v1" }, /engine snapshot rejected: modelVersion: /],
    [{ ...good, swaps: [{ modelVersion: 0 }] }, /engine snapshot rejected: swaps\.0\.streamTime: /],
    [{ ...good, extra: 1 }, /engine snapshot rejected: /],
    [null, /engine snapshot rejected: the snapshot: /],
  ];
  for (const [snapshot, message] of bad) {
    assert.throws(() => EngineState.restore(snapshot), SnapshotError);
    assert.throws(() => EngineState.restore(snapshot), message);
  }
});
