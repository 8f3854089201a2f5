import assert from "node:assert/strict";
import { plateauCentre, thresholdGrid } from "../../../actors/factory/threshold_choice.ts";

Deno.test("the grid runs from `from` to `to` in exact steps", () => {
  const grid = thresholdGrid({ kind: "tuned", from: 0.05, to: 0.95, step: 0.025, halfWidth: 0 });
  assert.equal(grid.length, 37);
  assert.equal(grid[0], 0.05);
  assert.equal(grid[26], 0.7);
  assert.equal(grid.at(-1), 0.95);
});

Deno.test("a bad grid is refused, naming the setting", () => {
  const tuned = { kind: "tuned", from: 0.1, to: 0.9, step: 0.1, halfWidth: 0 } as const;
  assert.throws(() => thresholdGrid({ ...tuned, from: 0.95 }), /from and to .* 0.95 and 0.9/);
  assert.throws(() => thresholdGrid({ ...tuned, step: 0 }), /step must be > 0: current value is 0/);
});

Deno.test("the centre of a broad plateau beats a higher point next to a cliff", () => {
  const grid = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8];
  // A peak at 0.75 with nothing past it; a broad shelf around 0.6.
  const scores = [0.78, 0.8, 0.8, 0.8, 0.3, 0.86, 0.0];
  assert.equal(plateauCentre(grid, scores, 0, 0.75), 0.75);
  assert.equal(plateauCentre(grid, scores, 0.05, 0.75), 0.6);
});

Deno.test("of equal neighbourhoods the one nearest the asked threshold is kept", () => {
  const grid = [0.3, 0.4, 0.5, 0.6, 0.7];
  const flat = [0.5, 0.5, 0.5, 0.5, 0.5];
  assert.equal(plateauCentre(grid, flat, 0.1, 0.62), 0.6);
  assert.equal(plateauCentre(grid, flat, 0.1, 0.1), 0.3);
});

Deno.test("mismatched scores or a negative width are refused", () => {
  assert.throws(() => plateauCentre([0.5], [], 0, 0.5), /lengths are 1 and 0/);
  assert.throws(() => plateauCentre([], [], 0, 0.5), /lengths are 0 and 0/);
  assert.throws(
    () => plateauCentre([0.5], [1], -0.1, 0.5),
    /halfWidth must be >= 0: current value is -0.1/,
  );
});
