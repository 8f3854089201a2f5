import assert from "node:assert/strict";
import {
  acquisitionScore,
  expectedImprovement,
  lowerConfidenceBound,
  probabilityOfImprovement,
} from "../../../policies/search/acquisition.ts";
import { assertClose } from "../../fixtures/assert_close.ts";

Deno.test("EI equals std * pdf(0) when the mean sits on the incumbent", () => {
  assertClose(expectedImprovement(0, 1, 0, 0), 0.3989422804014327, 1e-6);
});

Deno.test("EI and PI match the closed forms on hand values (minimisation, with xi)", () => {
  // gain = best - xi - mean = 0.5 - 0.1 - 1 = -0.6; z = gain / std = -0.3
  assertClose(
    expectedImprovement(1, 2, 0.5, 0.1),
    -0.6 * 0.3820885778110474 + 2 * 0.38138781546052414,
    1e-6,
  );
  assertClose(probabilityOfImprovement(1, 2, 0.5, 0.1), 0.3820885778110474, 1e-6);
  // A mean well below the incumbent: EI is about the gain, PI about 1.
  assertClose(expectedImprovement(1, 0.5, 3, 0), 2.000003572629216, 1e-6);
  assertClose(probabilityOfImprovement(1, 0.5, 3, 0), 0.9999683287581669, 1e-6);
});

Deno.test("with no uncertainty EI is the plain improvement and PI a step", () => {
  assert.equal(expectedImprovement(1, 0, 3, 0.5), 1.5);
  assert.equal(expectedImprovement(4, 0, 3, 0), 0);
  assert.equal(probabilityOfImprovement(1, 0, 3, 0), 1);
  assert.equal(probabilityOfImprovement(3, 0, 3, 0), 0);
});

Deno.test("LCB is mean - kappa * std and scores higher when lower", () => {
  assert.equal(lowerConfidenceBound(1, 2, 1.96), 1 - 3.92);
  const parameters = { xi: 0, kappa: 1.96 };
  assert.equal(acquisitionScore("lcb", 1, 2, 0, parameters), 3.92 - 1);
  assert.ok(
    acquisitionScore("lcb", 0, 1, 0, parameters) > acquisitionScore("lcb", 1, 1, 0, parameters),
  );
  assertClose(
    acquisitionScore("ei", 1, 2, 0.5, { xi: 0.1, kappa: 0 }),
    expectedImprovement(1, 2, 0.5, 0.1),
    1e-6,
  );
  assertClose(acquisitionScore("pi", 1, 2, 0.5, { xi: 0.1, kappa: 0 }), 0.3820885778110474, 1e-6);
});

Deno.test("EI grows with uncertainty at equal mean (it rewards exploration)", () => {
  assert.ok(expectedImprovement(1, 2, 0.5, 0) > expectedImprovement(1, 1, 0.5, 0));
});
