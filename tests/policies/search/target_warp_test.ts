import assert from "node:assert/strict";
import { warpLogJacobian, warpLosses } from "../../../policies/search/target_warp.ts";
import { assertClose } from "../../fixtures/assert_close.ts";

Deno.test("the warp keeps the order of the losses and the lowest at zero", () => {
  const losses = [3900, 12, 0.5, 40, 7];
  const { values } = warpLosses(losses);
  const order = (xs: number[]) => xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  assert.deepEqual(order(values), order(losses));
  assert.equal(values[2], 0);
});

Deno.test("an outlier orders of magnitude above the rest no longer dwarfs their differences", () => {
  const losses = [3900, 12, 0.5, 40, 7];
  const { values, spread } = warpLosses(losses);
  assert.equal(spread, 11.5);
  // Raw: the outlier is ~100x the next gap; warped, the ratio of the same gaps is under 6.
  const gapRatio = (xs: number[]) => (xs[0] - xs[3]) / (xs[3] - xs[1]);
  assert.ok(gapRatio(losses) > 100);
  assert.ok(gapRatio(values) < 6, `${gapRatio(values)}`);
});

Deno.test("losses with no spread above the lowest are left as they are", () => {
  assert.deepEqual(warpLosses([2, 2, 2]), { values: [2, 2, 2], spread: 1, warped: false });
  assert.deepEqual(warpLosses([1, 1, 5]), { values: [1, 1, 5], spread: 1, warped: false });
  assert.equal(warpLogJacobian(warpLosses([1, 1, 5])), 0);
});

Deno.test("bad losses are rejected naming the value", () => {
  assert.throws(() => warpLosses([]), /losses must not be empty: current value is \[\]/);
  assert.throws(() => warpLosses([1, NaN]), /losses\[1\] must be finite: current value is NaN/);
});

Deno.test("the log Jacobian sums the warp's log slopes at the losses (finite differences)", () => {
  const losses = [3900, 12, 0.5, 40, 7];
  const warped = warpLosses(losses);
  const step = 1e-6;
  const slopes = losses.map((loss, i) => {
    const moved = Math.log1p((loss + step - 0.5) / warped.spread);
    return Math.log((moved - warped.values[i]) / step);
  });
  assertClose(warpLogJacobian(warped), slopes.reduce((sum, slope) => sum + slope, 0), 1e-4);
});

Deno.test("the tail warp leaves the losses up to the median linear and compresses only those above", () => {
  const losses = [3900, 12, 0.5, 40, 7];
  const { values, spread, warped } = warpLosses(losses, "tail");
  assert.equal(warped, "tail");
  assert.equal(spread, 11.5);
  // 0.5, 7 and 12 are at or below the median (12): their gaps keep their ratio.
  assertClose(values[2], 0, 1e-12);
  assertClose(values[4], 6.5 / 11.5, 1e-12);
  assertClose(values[1], 1, 1e-12);
  assertClose(values[0], 1 + Math.log(3899.5 / 11.5), 1e-12);
  const gapRatio = (xs: number[]) => (xs[0] - xs[3]) / (xs[3] - xs[1]);
  assert.ok(gapRatio(values) < 6, `${gapRatio(values)}`);
  // The log warp bends the better half too: its 7 sits above the straight line from 0.5 to 12.
  const log = warpLosses(losses, "log").values;
  assert.ok(log[4] / log[1] > 6.5 / 11.5 + 0.05, `${log[4] / log[1]}`);
});

Deno.test("the tail warp's log Jacobian sums its log slopes at the losses (finite differences)", () => {
  const losses = [3900, 12, 0.5, 40, 7];
  const warped = warpLosses(losses, "tail");
  const step = 1e-6;
  const slopes = losses.map((loss, i) => {
    const x = (loss + step - 0.5) / warped.spread;
    const moved = x <= 1 ? x : 1 + Math.log(x);
    return Math.log((moved - warped.values[i]) / step);
  });
  assertClose(warpLogJacobian(warped), slopes.reduce((sum, slope) => sum + slope, 0), 1e-4);
});
