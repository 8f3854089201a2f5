import assert from "node:assert/strict";
import { type Cube, maximiseAcquisitions } from "../../../policies/search/acquisition_maximiser.ts";
import { Random } from "../../../policies/search/random.ts";
import { SearchSpace } from "../../../policies/search/space.ts";

/** A fake model: mean is the squared distance to (0.3, 0.8), std 0 everywhere. */
const predict = (units: readonly (readonly number[])[]) => ({
  mean: units.map(([x, y]) => (x - 0.3) ** 2 + (y - 0.8) ** 2),
  std: units.map(() => 0),
});
const negatedMean = (mean: number) => -mean;

function cubeOf(
  space: SearchSpace,
  taken: (unit: readonly number[]) => boolean = () => false,
): Cube {
  return {
    dimensions: space.dimensions.length,
    bins: space.unitBins,
    snap: (u) => space.snap(u),
    isTaken: taken,
  };
}

Deno.test("random sampling plus local refinement finds the maximum closely", () => {
  const space = new SearchSpace([
    { name: "x", kind: "real", low: 0, high: 1 },
    { name: "y", kind: "real", low: 0, high: 1 },
  ]);
  const [best] = maximiseAcquisitions(predict, [negatedMean], cubeOf(space), new Random(1), {
    samples: 50,
  });
  assert.ok(best !== null);
  assert.ok(Math.hypot(best[0] - 0.3, best[1] - 0.8) < 1e-3, `${best}`);
});

Deno.test("each scorer gets its own proposal from the shared pool", () => {
  const space = new SearchSpace([
    { name: "x", kind: "real", low: 0, high: 1 },
    { name: "y", kind: "real", low: 0, high: 1 },
  ]);
  const [near, far] = maximiseAcquisitions(
    predict,
    [negatedMean, (mean) => mean],
    cubeOf(space),
    new Random(2),
  );
  assert.ok(near !== null && far !== null);
  assert.ok(Math.hypot(near[0] - 0.3, near[1] - 0.8) < 1e-2);
  assert.deepEqual(far, [1, 0], "the farthest corner from (0.3, 0.8)");
});

Deno.test("proposals are snapped to integer bins and skip taken points", () => {
  const space = new SearchSpace([
    { name: "m", kind: "integer", low: 0, high: 4 },
    { name: "y", kind: "real", low: 0, high: 1 },
  ]);
  // Bin centres of m are 0.1, 0.3, 0.5, 0.7, 0.9: the best bin (0.3) is taken entirely.
  const taken = (unit: readonly number[]) => Math.abs(unit[0] - 0.3) < 1e-9;
  const [best] = maximiseAcquisitions(predict, [negatedMean], cubeOf(space, taken), new Random(3));
  assert.ok(best !== null);
  assert.ok([0.1, 0.5].some((centre) => Math.abs(best[0] - centre) < 1e-12), `${best}`);
  assert.ok(Math.abs(best[1] - 0.8) < 1e-2);
});

Deno.test("no free point gives null for every scorer", () => {
  const space = new SearchSpace([{ name: "m", kind: "integer", low: 1, high: 2 }]);
  const proposals = maximiseAcquisitions(
    (units) => ({ mean: units.map(() => 0), std: units.map(() => 1) }),
    [negatedMean, negatedMean],
    cubeOf(space, () => true),
    new Random(4),
  );
  assert.deepEqual(proposals, [null, null]);
});

Deno.test("the polish walks integer dimensions value by value and ascends the continuous ones", () => {
  const space = new SearchSpace([
    { name: "m", kind: "integer", low: 0, high: 4 },
    { name: "p", kind: "log", low: 1e-4, high: 1e-2 },
  ]);
  // Best at m = 4 (unit 0.9) and p = 10^-3.26 (unit 0.37); one pool point to start from.
  const peaked = (units: readonly (readonly number[])[]) => ({
    mean: units.map(([m, p]) => 10 * (m - 0.9) ** 2 + (p - 0.37) ** 2),
    std: units.map(() => 0),
  });
  for (const seed of [5, 6, 7]) {
    const [best] = maximiseAcquisitions(peaked, [negatedMean], cubeOf(space), new Random(seed), {
      samples: 1,
      starts: 1,
    });
    assert.ok(best !== null);
    assert.ok(Math.abs(best[0] - 0.9) < 1e-12, `seed ${seed}: ${best}`);
    assert.ok(Math.abs(best[1] - 0.37) < 1e-5, `seed ${seed}: ${best}`);
    assert.equal(space.fromUnit(best).m, 4);
  }
});

Deno.test("points scattered around the centres join the pool", () => {
  const space = new SearchSpace([
    { name: "x", kind: "real", low: 0, high: 1 },
    { name: "y", kind: "real", low: 0, high: 1 },
  ]);
  // A needle: flat zero except within 0.02 of (0.61, 0.13); no uniform sample can land there.
  const needle = (units: readonly (readonly number[])[]) => ({
    mean: units.map(([x, y]) => -Math.max(0, 0.02 - Math.hypot(x - 0.61, y - 0.13))),
    std: units.map(() => 0),
  });
  const [best] = maximiseAcquisitions(
    needle,
    [negatedMean],
    cubeOf(space),
    new Random(8),
    { samples: 10, nearSamples: 50, spread: 0.01 },
    [[0.6, 0.13]],
  );
  assert.ok(best !== null);
  assert.ok(Math.hypot(best[0] - 0.61, best[1] - 0.13) < 1e-3, `${best}`);
});
