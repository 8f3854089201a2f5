import assert from "node:assert/strict";
import { minimiseBounded } from "../../../policies/search/bounded_lbfgs.ts";

function rosenbrock([x, y]: readonly number[]) {
  return {
    value: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    gradient: [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
  };
}

Deno.test("finds the minimum of Rosenbrock's valley inside the box", () => {
  const minimum = minimiseBounded(rosenbrock, [-1.2, 1], {
    lower: [-2, -2],
    upper: [2, 2],
    maxIterations: 500,
  });
  assert.ok(Math.abs(minimum.x[0] - 1) < 1e-3 && Math.abs(minimum.x[1] - 1) < 1e-3, `${minimum.x}`);
  assert.ok(minimum.value < 1e-6);
});

Deno.test("stops on the bound when the unconstrained minimum lies outside the box", () => {
  const bowl = ([x, y]: readonly number[]) => ({
    value: (x - 3) ** 2 + (y + 0.5) ** 2,
    gradient: [2 * (x - 3), 2 * (y + 0.5)],
  });
  const minimum = minimiseBounded(bowl, [0, 0], { lower: [-1, -1], upper: [1, 1] });
  assert.equal(minimum.x[0], 1);
  assert.ok(Math.abs(minimum.x[1] + 0.5) < 1e-6);
});

Deno.test("a start outside the box is projected into it", () => {
  const flat = () => ({ value: 0, gradient: [0] });
  assert.deepEqual(minimiseBounded(flat, [5], { lower: [0], upper: [1] }).x, [1]);
});

Deno.test("mismatched bounds are rejected", () => {
  const flat = () => ({ value: 0, gradient: [0] });
  assert.throws(
    () => minimiseBounded(flat, [0], { lower: [0, 0], upper: [1] }),
    /bounds must match start/,
  );
  assert.throws(
    () => minimiseBounded(flat, [0], { lower: [2], upper: [1] }),
    /lower\[0\] must be <= upper\[0\]: current values are 2 and 1/,
  );
});
