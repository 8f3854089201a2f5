/**
 * A weak prior on the kernel hyper-parameters, so that a fit on few points stays plausible (with
 * ten points in six dimensions the likelihood alone happily explains the data by length scales
 * far too short or too long). The terms are Optuna's GP sampler's: each length scale l is pulled
 * toward the size of the unit cube by -0.1 (l^2 + 1 / l^2), the signal variance of the normalised
 * targets has a Gamma(2, 1) prior and the noise variance a Gamma(1.1, 30) one. Adding it to the log
 * marginal likelihood turns the fit into a maximum a posteriori estimate.
 *
 * @module
 */

import type { Evaluation } from "./bounded_lbfgs.ts";

/**
 * Log prior density (up to a constant) of the log hyper-parameters (log length scales, log signal
 * variance, log noise variance), with its gradient.
 */
export function logKernelPrior(logParameters: readonly number[]): Evaluation {
  const d = logParameters.length - 2;
  let value = 0;
  const gradient = logParameters.map((theta, i) => {
    if (i < d) {
      // l^2 = e^(2 theta): -0.1 (e^(2 theta) + e^(-2 theta)).
      const up = Math.exp(2 * theta);
      const down = Math.exp(-2 * theta);
      value -= 0.1 * (up + down);
      return -0.2 * (up - down);
    }
    // Gamma(k, rate) in log space: (k - 1) theta - rate e^theta, gradient (k - 1) - rate e^theta.
    const [shape, rate] = i === d ? [2, 1] : [1.1, 30];
    const x = Math.exp(theta);
    value += (shape - 1) * theta - rate * x;
    return (shape - 1) - rate * x;
  });
  return { value, gradient };
}
