/**
 * Gaussian-process regression with a Matern ARD kernel on normalised targets (zero mean, unit
 * variance). The kernel hyper-parameters are fitted by maximising the log marginal likelihood
 * plus a weak prior (`kernel_prior.ts`), with analytic gradients, in log space within fixed
 * bounds, from a start point plus seeded random restarts.
 *
 * @module
 */

import { CholeskyDecomposition, Matrix } from "ml-matrix";
import { type Evaluation, minimiseBounded } from "./bounded_lbfgs.ts";
import { logKernelPrior } from "./kernel_prior.ts";
import { type KernelParameters, MaternKernel, type MaternNu } from "./matern.ts";
import { Random } from "./random.ts";

/** Posterior mean and standard deviation of the latent function, in target units. */
export interface Prediction {
  mean: number[];
  std: number[];
}

/** How to fit the hyper-parameters. */
export interface GaussianProcessOptions {
  /** Matern smoothness. */
  nu: MaternNu;
  /** Where the first optimisation starts (e.g. the previous fit); `defaultStart` unless told. */
  start?: KernelParameters;
  /** Random starts in addition to `start`, >= 0. */
  restarts: number;
  /** Seed of the random starts. */
  seed: number;
  /** Quasi-Newton iterations per start, >= 1. */
  maxIterations: number;
}

/** Bounds of the fitted hyper-parameters (inputs in the unit cube, targets normalised). */
export const HYPER_PARAMETER_BOUNDS = {
  lengthScale: [0.01, 100],
  signalVariance: [0.01, 1000],
  noiseVariance: [1e-9, 1],
} as const;

/** Starting hyper-parameters for `dimensions` inputs when no previous fit is known. */
export function defaultStart(dimensions: number): KernelParameters {
  return {
    lengthScales: new Array(dimensions).fill(0.5),
    signalVariance: 1,
    noiseVariance: 1e-4,
  };
}

// Random restarts are drawn (log-uniformly) from this narrower, plausible box: starting at an
// extreme such as length scale 0.01 leaves the likelihood flat and the optimiser stuck.
const RESTART_BOX = {
  lengthScale: [0.05, 2],
  signalVariance: [0.3, 3],
  noiseVariance: [1e-6, 1e-2],
} as const;

// Added to the diagonal, in turn, until the Cholesky factorisation succeeds.
const JITTERS = [1e-10, 1e-8, 1e-6, 1e-4];

/** A Gaussian process conditioned on training data with fixed kernel hyper-parameters. */
export class GaussianProcess {
  /** Mean of the training targets, subtracted before modelling. */
  readonly targetMean: number;
  /** Standard deviation of the training targets (1 when they are constant), divided out. */
  readonly targetScale: number;
  /** Log marginal likelihood of the normalised targets. */
  readonly logMarginalLikelihood: number;
  readonly #inputs: readonly (readonly number[])[];
  readonly #alpha: number[];
  readonly #inverse: number[][];

  /** Fits the hyper-parameters by maximum marginal likelihood, then conditions on the data. */
  static fit(
    inputs: readonly (readonly number[])[],
    targets: readonly number[],
    options: GaussianProcessOptions,
  ): GaussianProcess {
    validateData(inputs, targets);
    const { nu, restarts, seed, maxIterations } = options;
    if (!Number.isSafeInteger(restarts) || restarts < 0) {
      throw new RangeError(`restarts must be a non-negative integer: current value is ${restarts}`);
    }
    const dimensions = inputs[0].length;
    const start = options.start ?? defaultStart(dimensions);
    if (start.lengthScales.length !== dimensions) {
      throw new RangeError(
        `start must have ${dimensions} length scales: current count is ${start.lengthScales.length}`,
      );
    }
    const normalised = normalise(targets).values;
    const { lower, upper } = logBounds(dimensions);
    const random = new Random(seed);
    const starts = [toLog(start)];
    for (let i = 0; i < restarts; i++) starts.push(randomStart(dimensions, random));

    let best: { x: number[]; value: number } | null = null;
    for (const x0 of starts) {
      const minimum = minimiseBounded(
        (x) => negate(logPosterior(inputs, normalised, nu, x)),
        x0,
        { lower, upper, maxIterations },
      );
      if (Number.isFinite(minimum.value) && (best === null || minimum.value < best.value)) {
        best = minimum;
      }
    }
    const parameters = best === null ? start : fromLog(best.x);
    return new GaussianProcess(inputs, targets, new MaternKernel(nu, parameters));
  }

  /** Conditions on `inputs` (unit-cube rows) and `targets` with the hyper-parameters of `kernel`. */
  constructor(
    inputs: readonly (readonly number[])[],
    targets: readonly number[],
    readonly kernel: MaternKernel,
  ) {
    validateData(inputs, targets);
    if (inputs[0].length !== kernel.dimensions) {
      throw new RangeError(
        `inputs must have ${kernel.dimensions} columns: current count is ${inputs[0].length}`,
      );
    }
    const { values, mean, scale } = normalise(targets);
    const cholesky = factorise(kernel, inputs);
    if (cholesky === null) {
      throw new Error("training covariance is not positive definite even with jitter");
    }
    this.targetMean = mean;
    this.targetScale = scale;
    this.#inputs = inputs.map((row) => [...row]);
    const alpha = cholesky.solve(Matrix.columnVector(values));
    this.#alpha = alpha.getColumn(0);
    this.#inverse = cholesky.solve(Matrix.eye(inputs.length)).to2DArray();
    this.logMarginalLikelihood = likelihoodValue(cholesky, alpha, values);
  }

  /** Posterior mean and standard deviation of the latent function at each of `points`. */
  predict(points: readonly (readonly number[])[]): Prediction {
    // Plain loops: ml-matrix allocates a typed array per row, which dominates for the thousands
    // of points an acquisition search predicts.
    const signal = this.kernel.parameters.signalVariance;
    const n = this.#inputs.length;
    const mean: number[] = [];
    const std: number[] = [];
    for (const point of points) {
      const cross = this.#inputs.map((input) => this.kernel.covariance(point, input));
      let latent = 0;
      let explained = 0;
      for (let j = 0; j < n; j++) {
        latent += cross[j] * this.#alpha[j];
        const row = this.#inverse[j];
        let projected = 0;
        for (let k = 0; k < n; k++) projected += row[k] * cross[k];
        explained += cross[j] * projected;
      }
      mean.push(this.targetMean + this.targetScale * latent);
      std.push(this.targetScale * Math.sqrt(Math.max(0, signal - explained)));
    }
    return { mean, std };
  }

  /** A target value in the normalised units the model works in. */
  normalise(value: number): number {
    return (value - this.targetMean) / this.targetScale;
  }
}

/**
 * Log marginal likelihood of normalised targets under a Matern kernel whose log hyper-parameters
 * are `logParameters` (log length scales, log signal variance, log noise variance), with its
 * gradient; the value is -Infinity where the covariance cannot be factorised.
 */
export function logMarginalLikelihood(
  inputs: readonly (readonly number[])[],
  normalisedTargets: readonly number[],
  nu: MaternNu,
  logParameters: readonly number[],
): Evaluation {
  const kernel = new MaternKernel(nu, fromLog(logParameters));
  const cholesky = factorise(kernel, inputs);
  if (cholesky === null) {
    return { value: -Infinity, gradient: new Array(logParameters.length).fill(0) };
  }
  const alpha = cholesky.solve(Matrix.columnVector([...normalisedTargets]));
  // d LML / d theta = 0.5 * trace((alpha alpha^T - K^-1) dK/d theta)
  const weights = alpha.mmul(alpha.transpose()).sub(cholesky.solve(Matrix.eye(inputs.length)));
  const gradient = kernel.contractGradients(inputs, weights).map((g) => 0.5 * g);
  return { value: likelihoodValue(cholesky, alpha, normalisedTargets), gradient };
}

/** Log marginal likelihood plus log prior of the log hyper-parameters, with its gradient. */
function logPosterior(
  inputs: readonly (readonly number[])[],
  normalisedTargets: readonly number[],
  nu: MaternNu,
  logParameters: readonly number[],
): Evaluation {
  const likelihood = logMarginalLikelihood(inputs, normalisedTargets, nu, logParameters);
  const prior = logKernelPrior(logParameters);
  return {
    value: likelihood.value + prior.value,
    gradient: likelihood.gradient.map((g, i) => g + prior.gradient[i]),
  };
}

function likelihoodValue(
  cholesky: CholeskyDecomposition,
  alpha: Matrix,
  normalisedTargets: readonly number[],
): number {
  const lower = cholesky.lowerTriangularMatrix;
  let fit = 0;
  let logDeterminant = 0;
  normalisedTargets.forEach((y, i) => {
    fit += y * alpha.get(i, 0);
    logDeterminant += 2 * Math.log(lower.get(i, i));
  });
  const n = normalisedTargets.length;
  return -0.5 * fit - 0.5 * logDeterminant - 0.5 * n * Math.log(2 * Math.PI);
}

function factorise(
  kernel: MaternKernel,
  inputs: readonly (readonly number[])[],
): CholeskyDecomposition | null {
  for (const jitter of JITTERS) {
    const cholesky = new CholeskyDecomposition(kernel.gram(inputs, jitter));
    if (cholesky.isPositiveDefinite()) return cholesky;
  }
  return null;
}

function normalise(targets: readonly number[]): { values: number[]; mean: number; scale: number } {
  const mean = targets.reduce((sum, y) => sum + y, 0) / targets.length;
  const variance = targets.reduce((sum, y) => sum + (y - mean) ** 2, 0) / targets.length;
  const scale = variance > 1e-24 ? Math.sqrt(variance) : 1;
  return { values: targets.map((y) => (y - mean) / scale), mean, scale };
}

function validateData(inputs: readonly (readonly number[])[], targets: readonly number[]): void {
  if (inputs.length === 0) throw new RangeError("inputs must not be empty: current value is []");
  if (inputs.length !== targets.length) {
    throw new RangeError(
      `inputs and targets must have equal lengths: current values are ${inputs.length} and ${targets.length}`,
    );
  }
  const width = inputs[0].length;
  inputs.forEach((row, i) => {
    if (row.length !== width || row.some((x) => !Number.isFinite(x))) {
      throw new RangeError(
        `inputs[${i}] must hold ${width} finite numbers: current value is ${row}`,
      );
    }
  });
  targets.forEach((y, i) => {
    if (!Number.isFinite(y)) {
      throw new RangeError(`targets[${i}] must be finite: current value is ${y}`);
    }
  });
}

function toLog({ lengthScales, signalVariance, noiseVariance }: KernelParameters): number[] {
  return [...lengthScales, signalVariance, noiseVariance].map(Math.log);
}

function fromLog(logParameters: readonly number[]): KernelParameters {
  const values = logParameters.map(Math.exp);
  return {
    lengthScales: values.slice(0, -2),
    signalVariance: values[values.length - 2],
    noiseVariance: values[values.length - 1],
  };
}

function logBounds(dimensions: number): { lower: number[]; upper: number[] } {
  const { lengthScale, signalVariance, noiseVariance } = HYPER_PARAMETER_BOUNDS;
  const ranges = [...new Array(dimensions).fill(lengthScale), signalVariance, noiseVariance];
  return {
    lower: ranges.map(([low]) => Math.log(low)),
    upper: ranges.map(([, high]) => Math.log(high)),
  };
}

function randomStart(dimensions: number, random: Random): number[] {
  const { lengthScale, signalVariance, noiseVariance } = RESTART_BOX;
  return [...new Array(dimensions).fill(lengthScale), signalVariance, noiseVariance].map(
    ([low, high]) => Math.log(low) + random.next() * Math.log(high / low),
  );
}

function negate({ value, gradient }: Evaluation): Evaluation {
  return { value: -value, gradient: gradient.map((g) => -g) };
}
