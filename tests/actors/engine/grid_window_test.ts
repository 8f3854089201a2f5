import assert from "node:assert/strict";
import { type ClosedWindow, GridWindow } from "../../../actors/engine/grid_window.ts";

/** The windows `timestamps` close, in order. */
function closing(periodMs: number, timestamps: number[], start: number | null = null) {
  const grid = new GridWindow(periodMs, start);
  return timestamps.map((t) => grid.enter(t)).filter((w): w is ClosedWindow => w !== null);
}

Deno.test("windows lie on the absolute grid of epoch time, whatever the first event", () => {
  assert.deepEqual(closing(10, [13, 19, 20, 35]), [
    { start: 10, end: 20, closedUntil: 20 },
    { start: 20, end: 30, closedUntil: 30 },
  ]);
  // Another first event: the same grid.
  assert.deepEqual(closing(10, [17, 20]), [{ start: 10, end: 20, closedUntil: 20 }]);
});

Deno.test("skipped windows are closed too, and a late event stays in the open window", () => {
  assert.deepEqual(closing(10, [0, 47, 45, 49, 50]), [
    { start: 0, end: 10, closedUntil: 40 },
    { start: 40, end: 50, closedUntil: 50 },
  ]);
});

Deno.test("a grid window resumed from its start goes on as it would have", () => {
  const stream = [3, 8, 12, 19, 21, 44, 46, 52];
  const whole = closing(10, stream);
  const grid = new GridWindow(10);
  const first = stream.slice(0, 4).map((t) => grid.enter(t)).filter((w) => w !== null);
  const resumed = closing(10, stream.slice(4), grid.start);
  assert.deepEqual([...first, ...resumed], whole);
});

Deno.test("a bad period or start is refused naming it", () => {
  assert.throws(() => new GridWindow(0), /periodMs must be an integer >= 1: current value is 0/);
  assert.throws(() => new GridWindow(10, 5), /start must be a multiple of periodMs \(10\)/);
});
