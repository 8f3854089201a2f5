import assert from "node:assert/strict";
import { RandomSearch } from "../../../policies/search/random_search.ts";
import { RTCEF_SPACE } from "../../../policies/search/space.ts";

function asks(seed: number, count: number): Record<string, number>[] {
  const search = new RandomSearch({ space: RTCEF_SPACE, budget: count, seed });
  return Array.from({ length: count }, () => {
    const point = search.ask();
    search.tell(point, point.threshold);
    return point;
  });
}

Deno.test("asks are reproducible from the seed, inside the space and never repeated", () => {
  const points = asks(3, 30);
  assert.deepEqual(points, asks(3, 30));
  assert.notDeepEqual(points, asks(4, 30));
  for (const point of points) RTCEF_SPACE.validate(point);
  assert.equal(new Set(points.map((p) => JSON.stringify(p))).size, 30);
});

Deno.test("the best is the highest value told, and the budget includes reuse", () => {
  const search = new RandomSearch({
    space: RTCEF_SPACE,
    budget: 3,
    seed: 1,
    reuse: {
      samples: [{ point: { order: 2, threshold: 0.5, pMin: 0.001, gamma: 0.001 }, value: 0.5 }],
      count: 1,
    },
  });
  const a = search.ask();
  search.tell(a, 0.9);
  const b = search.ask();
  search.tell(b, 0.1);
  assert.throws(() => search.ask(), /budget of 3 evaluations is spent/);
  assert.deepEqual(search.best(), { point: a, value: 0.9 });
  assert.deepEqual(search.history.map((s) => s.value), [0.5, 0.9, 0.1]);
});
