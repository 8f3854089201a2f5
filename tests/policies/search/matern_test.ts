import assert from "node:assert/strict";
import { Matrix } from "ml-matrix";
import {
  type KernelParameters,
  MaternKernel,
  type MaternNu,
} from "../../../policies/search/matern.ts";
import { assertClose } from "../../fixtures/assert_close.ts";
import { numericGradient } from "./numeric_gradient.ts";

Deno.test("the covariance is the signal variance at distance 0 and the Matern shape beyond", () => {
  const parameters = { lengthScales: [2], signalVariance: 3, noiseVariance: 0.1 };
  const smooth15 = new MaternKernel(1.5, parameters);
  const smooth25 = new MaternKernel(2.5, parameters);
  assertClose(smooth15.covariance([0.4], [0.4]), 3, 1e-9);
  // Scaled distance 2 / 2 = 1 for nu 1.5: (1 + sqrt3) exp(-sqrt3).
  assertClose(smooth15.covariance([0], [2]), 3 * 0.4833577245965077, 1e-9);
  // Scaled distance 1 / 2 = 0.5 for nu 2.5: (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r).
  assertClose(smooth25.covariance([0], [1]), 3 * 0.8286491424181253, 1e-9);
});

Deno.test("each dimension has its own length scale (ARD)", () => {
  const kernel = new MaternKernel(1.5, {
    lengthScales: [0.1, 10],
    signalVariance: 1,
    noiseVariance: 1e-6,
  });
  const alongShort = kernel.covariance([0, 0], [0.2, 0]);
  const alongLong = kernel.covariance([0, 0], [0, 0.2]);
  assert.ok(alongShort < 0.3 && alongLong > 0.99, `${alongShort} vs ${alongLong}`);
});

Deno.test("the training covariance is symmetric with noise (and jitter) on its diagonal", () => {
  const kernel = new MaternKernel(2.5, {
    lengthScales: [0.5, 0.5],
    signalVariance: 2,
    noiseVariance: 0.25,
  });
  const inputs = [[0, 0], [0.3, 0.1], [1, 1]];
  const gram = kernel.gram(inputs, 0.5);
  assert.ok(gram.isSymmetric());
  for (let i = 0; i < 3; i++) assertClose(gram.get(i, i), 2.75, 1e-9);
  assertClose(gram.get(0, 1), kernel.covariance(inputs[0], inputs[1]), 1e-9);
});

Deno.test("contracted gradients match finite differences of the covariance in log space", () => {
  const inputs = [[0.1, 0.9], [0.4, 0.2], [0.8, 0.5], [0.15, 0.85]];
  const weights = new Matrix([
    [0.3, -1, 0.2, 0.5],
    [0.7, 1.1, -0.4, 0.2],
    [0.1, 0.6, -0.9, 0.3],
    [-0.2, 0.4, 0.8, 0.05],
  ]);
  const contract = (nu: MaternNu, logs: readonly number[]) => {
    const parameters: KernelParameters = {
      lengthScales: logs.slice(0, 2).map(Math.exp),
      signalVariance: Math.exp(logs[2]),
      noiseVariance: Math.exp(logs[3]),
    };
    const gram = new MaternKernel(nu, parameters).gram(inputs);
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) sum += weights.get(i, j) * gram.get(i, j);
    }
    return { sum, kernel: new MaternKernel(nu, parameters) };
  };
  for (const nu of [1.5, 2.5] as const) {
    const logs = [Math.log(0.3), Math.log(0.7), Math.log(1.5), Math.log(0.01)];
    const analytic = contract(nu, logs).kernel.contractGradients(inputs, weights);
    const numeric = numericGradient((at) => contract(nu, at).sum, logs);
    numeric.forEach((expected, k) => assertClose(analytic[k], expected, 1e-6));
  }
});

Deno.test("bad smoothness and hyper-parameters are rejected", () => {
  const parameters = { lengthScales: [1], signalVariance: 1, noiseVariance: 1e-6 };
  assert.throws(() => new MaternKernel(0.5 as MaternNu, parameters), /nu must be 1.5 or 2.5/);
  assert.throws(
    () => new MaternKernel(1.5, { ...parameters, lengthScales: [1, -2] }),
    /lengthScales\[1\] must be finite and > 0: current value is -2/,
  );
  assert.throws(
    () => new MaternKernel(1.5, { ...parameters, noiseVariance: 0 }),
    /noiseVariance must be finite and > 0: current value is 0/,
  );
});
