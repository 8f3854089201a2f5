import assert from "node:assert/strict";
import { RTCEF_SPACE, SearchSpace } from "../../../policies/search/space.ts";

Deno.test("a dimension with low >= high is rejected naming both bounds", () => {
  assert.throws(
    () => new SearchSpace([{ name: "order", kind: "integer", low: 5, high: 1 }]),
    {
      name: "RangeError",
      message: "dimension 'order': low must be < high: current values are 5 and 1",
    },
  );
});

Deno.test("bad dimensions are rejected up front", () => {
  assert.throws(
    () => new SearchSpace([]),
    /dimensions must hold at least one dimension: current value is \[\]/,
  );
  assert.throws(
    () => new SearchSpace([{ name: "m", kind: "integer", low: 1.5, high: 5 }]),
    /integer bounds must be integers: current values are 1.5 and 5/,
  );
  assert.throws(
    () => new SearchSpace([{ name: "p", kind: "log", low: 0, high: 1 }]),
    /log bounds must be > 0: current low is 0/,
  );
  assert.throws(
    () =>
      new SearchSpace([
        { name: "a", kind: "real", low: 0, high: 1 },
        { name: "a", kind: "real", low: 0, high: 2 },
      ]),
    /'a' repeats/,
  );
  assert.throws(
    () => new SearchSpace([{ name: "a", kind: "cubic" as "real", low: 0, high: 1 }]),
    /kind must be integer, real or log: current value is 'cubic'/,
  );
});

Deno.test("points outside the space, non-integers and unknown names are rejected", () => {
  const point = { order: 3, threshold: 0.5, pMin: 0.001, gamma: 0.001 };
  RTCEF_SPACE.validate(point);
  assert.throws(
    () => RTCEF_SPACE.validate({ ...point, order: 2.5 }),
    /order must be an integer: current value is 2.5/,
  );
  assert.throws(
    () => RTCEF_SPACE.validate({ ...point, pMin: 0.1 }),
    /pMin must be in \[0.0001, 0.01\]: current value is 0.1/,
  );
  assert.throws(() => RTCEF_SPACE.validate({ ...point, alpha: 1 }), /unknown dimension 'alpha'/);
  const { gamma: _, ...missing } = point;
  assert.throws(() => RTCEF_SPACE.validate(missing), /gamma must be in .*undefined/);
});

Deno.test("real and log dimensions map to the unit cube and back", () => {
  const space = new SearchSpace([
    { name: "x", kind: "real", low: -5, high: 10 },
    { name: "p", kind: "log", low: 0.0001, high: 0.01 },
  ]);
  const unit = space.toUnit({ x: 1, p: 0.001 });
  assert.ok(Math.abs(unit[0] - 0.4) < 1e-12);
  assert.ok(Math.abs(unit[1] - 0.5) < 1e-12, "0.001 is half-way between 1e-4 and 1e-2 in log");
  const back = space.fromUnit(unit);
  assert.ok(Math.abs(back.x - 1) < 1e-12 && Math.abs(back.p - 0.001) < 1e-15);
  assert.deepEqual(space.fromUnit([0, 1]), { x: -5, p: 0.01 });
  assert.deepEqual(space.fromUnit([-3, 7]), { x: -5, p: 0.01 }, "clamped into the cube");
});

Deno.test("integer dimensions cut the unit interval into one equal bin per value", () => {
  const space = new SearchSpace([{ name: "order", kind: "integer", low: 1, high: 5 }]);
  assert.deepEqual(
    [0, 0.19, 0.2, 0.39, 0.5, 0.79, 0.8, 1].map((u) => space.fromUnit([u]).order),
    [1, 1, 2, 2, 3, 4, 5, 5],
  );
  assert.deepEqual([1, 2, 3, 4, 5].map((order) => space.toUnit({ order })[0]), [
    0.1,
    0.3,
    0.5,
    0.7,
    0.9,
  ]);
  assert.deepEqual(space.snap([0.61]), [0.7], "snapping moves a unit point to its bin centre");
});

Deno.test("RTCEF's default space has order, threshold, pMin and gamma with its bounds", () => {
  assert.deepEqual(RTCEF_SPACE.dimensions, [
    { name: "order", kind: "integer", low: 1, high: 5 },
    { name: "threshold", kind: "real", low: 0, high: 1 },
    { name: "pMin", kind: "log", low: 0.0001, high: 0.01 },
    { name: "gamma", kind: "log", low: 0.0001, high: 0.01 },
  ]);
});
