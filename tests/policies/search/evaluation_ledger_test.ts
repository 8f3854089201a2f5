import assert from "node:assert/strict";
import { EvaluationLedger } from "../../../policies/search/evaluation_ledger.ts";
import { Random } from "../../../policies/search/random.ts";
import { SearchSpace } from "../../../policies/search/space.ts";

const space = new SearchSpace([
  { name: "m", kind: "integer", low: 1, high: 3 },
  { name: "t", kind: "real", low: 0, high: 1 },
]);
const previous = [
  { point: { m: 1, t: 0.1 }, value: 0.2 },
  { point: { m: 2, t: 0.5 }, value: 0.9 },
  { point: { m: 3, t: 0.9 }, value: 0.4 },
  { point: { m: 1, t: 0.7 }, value: 0.7 },
];

Deno.test("the best reused samples are told first and count toward the budget", () => {
  const ledger = new EvaluationLedger({ space, budget: 5, reuse: { samples: previous, count: 2 } });
  assert.equal(ledger.reused, 2);
  assert.deepEqual(ledger.history.map((s) => s.value), [0.9, 0.7]);
  assert.equal(ledger.remaining, 3);
  assert.deepEqual(ledger.best(), previous[1]);
});

Deno.test("reuse picks the lowest values when minimising", () => {
  const ledger = new EvaluationLedger({
    space,
    budget: 5,
    direction: "minimise",
    reuse: { samples: previous, count: 2 },
  });
  assert.deepEqual(ledger.history.map((s) => s.value), [0.2, 0.4]);
  assert.equal(ledger.best()?.value, 0.2);
});

Deno.test("outstanding asks count toward the budget until told", () => {
  const ledger = new EvaluationLedger({ space, budget: 2 });
  const random = new Random(1);
  const first = ledger.claim(ledger.drawFree(random));
  const second = ledger.claim(ledger.drawFree(random));
  assert.equal(ledger.remaining, 0);
  assert.throws(
    () => ledger.ensureBudget(),
    /budget of 2 evaluations is spent \(0 told, 2 outstanding\)/,
  );
  ledger.record(first, 1);
  ledger.record(second, 2);
  assert.equal(ledger.pendingUnits.length, 0);
  assert.equal(ledger.history.length, 2);
  assert.equal(ledger.remaining, 0);
});

Deno.test("asked and told points are taken; a small integer space runs out", () => {
  const tiny = new SearchSpace([{ name: "m", kind: "integer", low: 1, high: 2 }]);
  const ledger = new EvaluationLedger({ space: tiny, budget: 5 });
  const random = new Random(2);
  const asked = [ledger.claim(ledger.drawFree(random)), ledger.claim(ledger.drawFree(random))];
  assert.deepEqual(asked.map((p) => p.m).sort(), [1, 2]);
  assert.ok(ledger.isTaken(tiny.toUnit({ m: 1 })));
  assert.throws(() => ledger.claim(tiny.toUnit({ m: 1 })), /already asked/);
  assert.throws(() => ledger.drawFree(random), /search space exhausted/);
});

Deno.test("bad configuration and values are rejected naming the parameter", () => {
  assert.throws(
    () => new EvaluationLedger({ space, budget: 0 }),
    /budget must be a positive integer: current value is 0/,
  );
  assert.throws(
    () => new EvaluationLedger({ space, budget: 3, direction: "up" as "maximise" }),
    /direction must be 'maximise' or 'minimise': current value is 'up'/,
  );
  assert.throws(
    () => new EvaluationLedger({ space, budget: 3, reuse: { samples: previous, count: 3 } }),
    /reuse.count must be < budget \(3\) to leave a new evaluation: current value is 3/,
  );
  assert.throws(
    () =>
      new EvaluationLedger({
        space,
        budget: 9,
        reuse: { samples: [{ point: { m: 7, t: 0 }, value: 1 }], count: 1 },
      }),
    /reuse.samples\[0\]: m must be in \[1, 3\]: current value is 7/,
  );
  const ledger = new EvaluationLedger({ space, budget: 3 });
  assert.throws(
    () => ledger.record({ m: 1, t: 0.5 }, NaN),
    /value must be finite: current value is NaN/,
  );
  assert.throws(() => ledger.record({ m: 1.5, t: 0.5 }, 1), /m must be an integer/);
});
