import assert from "node:assert/strict";
import {
  defaultStart,
  GaussianProcess,
  logMarginalLikelihood,
} from "../../../policies/search/gaussian_process.ts";
import { MaternKernel } from "../../../policies/search/matern.ts";
import { Random } from "../../../policies/search/random.ts";
import { numericGradient } from "./numeric_gradient.ts";

/** Fit settings the tests share: a smooth kernel, two restarts, up to 50 iterations per start. */
const FIT = { nu: 1.5, restarts: 2, seed: 0, maxIterations: 50 } as const;

function data(count: number, seed: number) {
  const random = new Random(seed);
  const inputs = Array.from({ length: count }, () => [random.next(), random.next()]);
  const targets = inputs.map(([x, y]) => 10 + 4 * Math.sin(6 * x) + 3 * y * y);
  return { inputs, targets };
}

Deno.test("the fitted process interpolates its training points (mean ~ y, std ~ 0)", () => {
  const { inputs, targets } = data(15, 1);
  const gp = GaussianProcess.fit(inputs, targets, { ...FIT, seed: 1 });
  const { mean, std } = gp.predict(inputs);
  const spread = gp.targetScale;
  targets.forEach((y, i) => {
    assert.ok(Math.abs(mean[i] - y) < 1e-2 * spread, `mean ${mean[i]} vs ${y}`);
    assert.ok(std[i] < 1e-2 * spread, `std ${std[i]}`);
  });
});

Deno.test("uncertainty grows away from the data and the mean predicts held-out points", () => {
  const { inputs, targets } = data(25, 2);
  const gp = GaussianProcess.fit(inputs, targets, { ...FIT, seed: 2 });
  const held = data(30, 3);
  const { mean, std } = gp.predict(held.inputs);
  held.targets.forEach((y, i) => assert.ok(Math.abs(mean[i] - y) < 0.5, `${mean[i]} vs ${y}`));
  const [near, far] = gp.predict([[inputs[0][0] + 0.01, inputs[0][1]], [3, 3]]).std;
  assert.ok(near < far, `${near} vs ${far}`);
  assert.ok(std.every((s) => s >= 0));
});

Deno.test("fitting raises the log marginal likelihood above the starting hyper-parameters", () => {
  for (const nu of [1.5, 2.5] as const) {
    const { inputs, targets } = data(20, 4);
    const initial = new GaussianProcess(inputs, targets, new MaternKernel(nu, defaultStart(2)));
    const fitted = GaussianProcess.fit(inputs, targets, { ...FIT, nu, seed: 4 });
    assert.ok(
      fitted.logMarginalLikelihood > initial.logMarginalLikelihood + 1,
      `${fitted.logMarginalLikelihood} vs ${initial.logMarginalLikelihood}`,
    );
    assert.equal(fitted.kernel.nu, nu);
  }
});

Deno.test("the analytic likelihood gradient matches finite differences", () => {
  const { inputs, targets } = data(12, 5);
  const mean = targets.reduce((s, y) => s + y, 0) / targets.length;
  const normalised = targets.map((y) => y - mean);
  const logs = [Math.log(0.4), Math.log(0.9), Math.log(1.3), Math.log(1e-3)];
  for (const nu of [1.5, 2.5] as const) {
    const { gradient } = logMarginalLikelihood(inputs, normalised, nu, logs);
    const numeric = numericGradient(
      (at) => logMarginalLikelihood(inputs, normalised, nu, at).value,
      logs,
    );
    numeric.forEach((expected, k) => {
      assert.ok(Math.abs(gradient[k] - expected) < 1e-4 * Math.max(1, Math.abs(expected)));
    });
  }
});

Deno.test("fits are reproducible from the seed", () => {
  const { inputs, targets } = data(10, 6);
  const a = GaussianProcess.fit(inputs, targets, { ...FIT, seed: 3, restarts: 3 });
  const b = GaussianProcess.fit(inputs, targets, { ...FIT, seed: 3, restarts: 3 });
  assert.deepEqual(a.kernel.parameters, b.kernel.parameters);
});

Deno.test("constant targets and duplicate inputs are modelled without failing", () => {
  const constant = GaussianProcess.fit([[0.1], [0.5], [0.9]], [2, 2, 2], FIT);
  assert.ok(Math.abs(constant.predict([[0.3]]).mean[0] - 2) < 1e-9);
  const duplicates = GaussianProcess.fit([[0.2], [0.2], [0.7]], [1, 1.1, 3], FIT);
  assert.ok(Number.isFinite(duplicates.predict([[0.2]]).mean[0]));
});

Deno.test("bad training data is rejected", () => {
  assert.throws(() => GaussianProcess.fit([], [], FIT), /inputs must not be empty/);
  assert.throws(
    () => GaussianProcess.fit([[0], [1]], [1], FIT),
    /inputs and targets must have equal lengths: current values are 2 and 1/,
  );
  assert.throws(
    () => GaussianProcess.fit([[0], [NaN]], [1, 2], FIT),
    /inputs\[1\] must hold 1 finite/,
  );
  assert.throws(
    () => GaussianProcess.fit([[0], [1]], [1, Infinity], FIT),
    /targets\[1\] must be finite/,
  );
  assert.throws(
    () => GaussianProcess.fit([[0], [1]], [1, 2], { ...FIT, restarts: -1 }),
    /restarts must be a non-negative integer: current value is -1/,
  );
});
