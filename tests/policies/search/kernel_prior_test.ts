import assert from "node:assert/strict";
import { GaussianProcess } from "../../../policies/search/gaussian_process.ts";
import { logKernelPrior } from "../../../policies/search/kernel_prior.ts";
import { Random } from "../../../policies/search/random.ts";
import { numericGradient } from "./numeric_gradient.ts";

Deno.test("the prior's gradient matches finite differences", () => {
  const logs = [Math.log(0.05), Math.log(0.7), Math.log(4), Math.log(1.5), Math.log(1e-3)];
  const { gradient } = logKernelPrior(logs);
  numericGradient((at) => logKernelPrior(at).value, logs).forEach((expected, k) => {
    assert.ok(Math.abs(gradient[k] - expected) < 1e-5 * Math.max(1, Math.abs(expected)));
  });
});

Deno.test("the prior peaks at unit length scales and is lower toward either extreme", () => {
  const at = (lengthScale: number) => logKernelPrior([Math.log(lengthScale), 0, -5]).value;
  assert.ok(at(1) > at(0.3) && at(0.3) > at(0.05));
  assert.ok(at(1) > at(3) && at(3) > at(20));
});

Deno.test("with few points in six dimensions, the fitted length scales stay plausible", () => {
  // Eight points cannot pin six length scales: the prior keeps them off the bounds (0.01, 100).
  const random = new Random(9);
  const inputs = Array.from({ length: 8 }, () => Array.from({ length: 6 }, () => random.next()));
  const targets = inputs.map((x) => Math.sin(3 * x[0]) + x[1] * x[1]);
  const gp = GaussianProcess.fit(inputs, targets, {
    nu: 2.5,
    restarts: 2,
    seed: 1,
    maxIterations: 50,
  });
  for (const scale of gp.kernel.parameters.lengthScales) {
    assert.ok(scale > 0.05 && scale < 20, `${gp.kernel.parameters.lengthScales}`);
  }
});
