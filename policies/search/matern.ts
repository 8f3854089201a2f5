/**
 * The Matern covariance (nu = 1.5 or 2.5) with one length scale per dimension (ARD), a signal
 * variance and a white-noise variance, plus the derivatives of the covariance with respect to the
 * logarithms of those hyper-parameters, which the marginal-likelihood fit needs.
 *
 * @module
 */

import { Matrix } from "ml-matrix";

/** Smoothness of the Matern kernel: 1.5 (once differentiable) or 2.5 (twice). */
export type MaternNu = 1.5 | 2.5;

/** Kernel hyper-parameters, all strictly positive. */
export interface KernelParameters {
  /** One length scale per input dimension, in unit-cube units. */
  readonly lengthScales: readonly number[];
  /** Variance of the latent function. */
  readonly signalVariance: number;
  /** Variance of the observation noise (added on the diagonal of the training covariance). */
  readonly noiseVariance: number;
}

const SQRT3 = Math.sqrt(3);
const SQRT5 = Math.sqrt(5);

/** A Matern ARD kernel with fixed hyper-parameters. */
export class MaternKernel {
  /** Validates `nu` and that every hyper-parameter is finite and positive. */
  constructor(readonly nu: MaternNu, readonly parameters: KernelParameters) {
    if (nu !== 1.5 && nu !== 2.5) {
      throw new RangeError(`nu must be 1.5 or 2.5: current value is ${nu}`);
    }
    const { lengthScales, signalVariance, noiseVariance } = parameters;
    if (lengthScales.length === 0) {
      throw new RangeError("lengthScales must not be empty: current value is []");
    }
    for (
      const [name, value] of [
        ...lengthScales.map((scale, i) => [`lengthScales[${i}]`, scale] as const),
        ["signalVariance", signalVariance] as const,
        ["noiseVariance", noiseVariance] as const,
      ]
    ) {
      if (!(value > 0 && Number.isFinite(value))) {
        throw new RangeError(`${name} must be finite and > 0: current value is ${value}`);
      }
    }
  }

  /** Number of input dimensions. */
  get dimensions(): number {
    return this.parameters.lengthScales.length;
  }

  /** Covariance of the latent function between two points (noise excluded). */
  covariance(a: readonly number[], b: readonly number[]): number {
    return this.parameters.signalVariance * this.#shape(this.#distance(a, b));
  }

  /** Training covariance: latent covariance plus (noise + `jitter`) on the diagonal. */
  gram(inputs: readonly (readonly number[])[], jitter = 0): Matrix {
    const n = inputs.length;
    const gram = new Matrix(n, n);
    const diagonal = this.parameters.signalVariance + this.parameters.noiseVariance + jitter;
    for (let i = 0; i < n; i++) {
      gram.set(i, i, diagonal);
      for (let j = 0; j < i; j++) {
        // Set both halves from one value: the Cholesky of ml-matrix demands exact symmetry.
        const value = this.covariance(inputs[i], inputs[j]);
        gram.set(i, j, value);
        gram.set(j, i, value);
      }
    }
    return gram;
  }

  /**
   * For each log hyper-parameter (log length scales, then log signal variance, then log noise
   * variance), the sum over i, j of `weights[i][j]` times the derivative of the training
   * covariance entry (i, j). This is all the marginal-likelihood gradient needs, without
   * materialising one n x n derivative matrix per hyper-parameter.
   */
  contractGradients(inputs: readonly (readonly number[])[], weights: Matrix): number[] {
    const { lengthScales, signalVariance, noiseVariance } = this.parameters;
    const d = this.dimensions;
    const gradient = new Array<number>(d + 2).fill(0);
    const n = inputs.length;
    const scaled = new Array<number>(d);
    for (let i = 0; i < n; i++) {
      gradient[d] += weights.get(i, i) * signalVariance;
      gradient[d + 1] += weights.get(i, i) * noiseVariance;
      for (let j = 0; j < i; j++) {
        let squared = 0;
        for (let k = 0; k < d; k++) {
          const s = (inputs[i][k] - inputs[j][k]) / lengthScales[k];
          scaled[k] = s * s;
          squared += scaled[k];
        }
        const r = Math.sqrt(squared);
        // Symmetric weights and covariance: count the (i, j) and (j, i) entries together.
        const weight = weights.get(i, j) + weights.get(j, i);
        const slope = weight * signalVariance * this.#lengthSlope(r);
        for (let k = 0; k < d; k++) gradient[k] += slope * scaled[k];
        gradient[d] += weight * signalVariance * this.#shape(r);
      }
    }
    return gradient;
  }

  #distance(a: readonly number[], b: readonly number[]): number {
    const { lengthScales } = this.parameters;
    let squared = 0;
    for (let k = 0; k < lengthScales.length; k++) {
      const s = (a[k] - b[k]) / lengthScales[k];
      squared += s * s;
    }
    return Math.sqrt(squared);
  }

  /** Correlation at scaled distance r. */
  #shape(r: number): number {
    return this.nu === 1.5
      ? (1 + SQRT3 * r) * Math.exp(-SQRT3 * r)
      : (1 + SQRT5 * r + (5 / 3) * r * r) * Math.exp(-SQRT5 * r);
  }

  /** g(r) with d shape / d log l_k = g(r) * ((a_k - b_k) / l_k)^2; finite at r = 0. */
  #lengthSlope(r: number): number {
    return this.nu === 1.5
      ? 3 * Math.exp(-SQRT3 * r)
      : (5 / 3) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
  }
}
