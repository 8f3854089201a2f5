import assert from "node:assert/strict";
import { chooseModel, type Rival } from "../../../actors/factory/model_choice.ts";

const live = (mcc: number): Rival => ({ version: 3, mcc, live: true });
const earlier = (version: number, mcc: number): Rival => ({ version, mcc, live: false });

Deno.test("a candidate no worse than the live model by more than the margin ships", () => {
  assert.equal(chooseModel(0.70, [live(0.69)], 0.02).kind, "candidate");
  assert.equal(chooseModel(0.68, [live(0.69)], 0.02).kind, "candidate");
  assert.equal(chooseModel(0.5, [], 0.02).kind, "candidate");
  assert.match(chooseModel(0.70, [live(0.69)], 0.02).reason, /new model.*0\.700.*live v3: 0\.690/);
});

Deno.test("a candidate worse than the live model by more than the margin is not shipped", () => {
  const choice = chooseModel(0.46, [live(0.69)], 0.02);
  assert.deepEqual(choice, {
    kind: "kept",
    version: 3,
    reason: "kept the live model v3: held-out MCC 0.690 on the candidate's test data, " +
      "against the candidate's 0.460 (margin 0.02)",
  });
  // A wider margin lets it through.
  assert.equal(chooseModel(0.46, [live(0.69)], 0.25).kind, "candidate");
});

Deno.test("an earlier version that beats the candidate and the live one by the margin is recalled", () => {
  const choice = chooseModel(0.1, [live(0.05), earlier(2, 0.3), earlier(1, 0.8)], 0.02);
  assert.equal(choice.kind, "recalled");
  assert.equal(choice.kind === "recalled" && choice.version, 1);
  assert.match(choice.reason, /recalled v1: held-out MCC 0\.800.*candidate's 0\.100.*v3's 0\.050/);
});

Deno.test("an earlier version within the margin of the live one leaves the live one in service", () => {
  assert.deepEqual(
    chooseModel(0.4, [live(0.69), earlier(1, 0.70)], 0.02),
    chooseModel(0.4, [live(0.69)], 0.02),
  );
  // ... and one within the margin of the candidate leaves the candidate.
  assert.equal(chooseModel(0.69, [live(0.3), earlier(1, 0.70)], 0.02).kind, "candidate");
});

Deno.test("a live model failing in service counts with its score there, not its held-out one", () => {
  // Right after a drift the held-out data still favour it (0.562) while it fails (0.049).
  const failing: Rival = { ...live(0.562), served: 0.049 };
  const choice = chooseModel(0.391, [failing], 0.02);
  assert.equal(choice.kind, "candidate");
  assert.match(
    choice.reason,
    /new model, held-out MCC 0\.391 \(live v3: 0\.562 \(0\.049 in service\)\)/,
  );
  // An earlier version beating the candidate is recalled over it, not the failing live one kept.
  assert.equal(chooseModel(0.2, [failing, earlier(1, 0.5)], 0.02).kind, "recalled");
  // A live model faring as well in service as held-out is judged as before.
  assert.deepEqual(
    chooseModel(0.46, [{ ...live(0.69), served: 0.8 }], 0.02),
    chooseModel(0.46, [live(0.69)], 0.02),
  );
  // One faring somewhat worse is still kept over a clearly worse candidate, saying both scores.
  assert.match(
    chooseModel(0.3, [{ ...live(0.69), served: 0.6 }], 0.02).reason,
    /kept the live model v3: held-out MCC 0\.690 \(0\.600 in service\)/,
  );
});

Deno.test("chooseModel rejects a negative margin and two live rivals", () => {
  assert.throws(() => chooseModel(0.5, [live(0.4)], -0.1), /margin must be a number >= 0/);
  assert.throws(
    () => chooseModel(0.5, [live(0.4), { version: 4, mcc: 0.3, live: true }], 0),
    /rivals: expected at most one live version, got v3, v4/,
  );
});
