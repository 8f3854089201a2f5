import assert from "node:assert/strict";
import { latinHypercube } from "../../../policies/search/latin_hypercube.ts";
import { Random } from "../../../policies/search/random.ts";

Deno.test("exactly one point falls in each stratum of each dimension", () => {
  for (const [count, dimensions] of [[10, 4], [7, 6], [1, 2]]) {
    const points = latinHypercube(count, dimensions, new Random(count));
    assert.equal(points.length, count);
    for (let d = 0; d < dimensions; d++) {
      const strata = points.map((point) => Math.floor(point[d] * count)).sort((a, b) => a - b);
      assert.deepEqual(strata, Array.from({ length: count }, (_, i) => i), `dimension ${d}`);
    }
  }
});

Deno.test("the design is reproducible from the seed", () => {
  assert.deepEqual(latinHypercube(5, 3, new Random(9)), latinHypercube(5, 3, new Random(9)));
  assert.notDeepEqual(latinHypercube(5, 3, new Random(9)), latinHypercube(5, 3, new Random(10)));
});

Deno.test("bad sizes are rejected", () => {
  assert.throws(() => latinHypercube(-1, 2, new Random(0)), /count must be a non-negative integer/);
  assert.throws(() => latinHypercube(3, 0, new Random(0)), /dimensions must be a positive integer/);
  assert.deepEqual(latinHypercube(0, 2, new Random(0)), []);
});
