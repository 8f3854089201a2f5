/**
 * A box-bounded limited-memory BFGS minimiser for smooth, low-dimensional problems (the kernel
 * hyper-parameters of the Gaussian process). Bounds are kept by projection: variables pinned at a
 * bound by the gradient are frozen for the step, and the backtracking line search follows the
 * projected path. Simpler than L-BFGS-B and enough for a handful of variables.
 *
 * @module
 */

/** A value and its gradient at a point; the value may be non-finite where undefined. */
export interface Evaluation {
  value: number;
  gradient: number[];
}

/** Bounds and stopping rules. */
export interface BoundedMinimiseOptions {
  lower: readonly number[];
  upper: readonly number[];
  /** Iterations (accepted steps) at most. */
  maxIterations?: number;
  /** Number of (step, gradient change) pairs kept for the inverse-Hessian estimate. */
  memory?: number;
  /** Stop when the largest projected-gradient component is below this. */
  gradientTolerance?: number;
}

/** Where the search stopped. */
export interface Minimum {
  x: number[];
  value: number;
  iterations: number;
}

const ARMIJO = 1e-4;
const LINE_SEARCH_HALVINGS = 30;
const RELATIVE_DECREASE_TOLERANCE = 1e-10;

/** Minimises `objective` inside the box from `start` (projected into the box first). */
export function minimiseBounded(
  objective: (x: readonly number[]) => Evaluation,
  start: readonly number[],
  options: BoundedMinimiseOptions,
): Minimum {
  const { lower, upper, maxIterations = 100, memory = 6, gradientTolerance = 1e-6 } = options;
  if (lower.length !== start.length || upper.length !== start.length) {
    throw new RangeError(
      `bounds must match start: current lengths are ${lower.length}, ${upper.length} and ${start.length}`,
    );
  }
  lower.forEach((low, i) => {
    if (!(low <= upper[i])) {
      throw new RangeError(
        `lower[${i}] must be <= upper[${i}]: current values are ${low} and ${upper[i]}`,
      );
    }
  });
  const project = (x: readonly number[]) =>
    x.map((value, i) => Math.min(upper[i], Math.max(lower[i], value)));

  let x = project(start);
  let current = objective(x);
  const history: { s: number[]; y: number[]; rho: number }[] = [];
  let iterations = 0;
  while (Number.isFinite(current.value) && iterations < maxIterations) {
    const free = x.map((value, i) =>
      !((value <= lower[i] && current.gradient[i] > 0) ||
        (value >= upper[i] && current.gradient[i] < 0))
    );
    const gradient = current.gradient.map((g, i) => (free[i] ? g : 0));
    if (Math.max(...gradient.map(Math.abs)) < gradientTolerance) break;

    let direction = twoLoop(gradient, history).map((step, i) => (free[i] ? -step : 0));
    if (dot(direction, gradient) >= 0) {
      history.length = 0;
      direction = gradient.map((g) => -g);
    }
    // Without curvature information the raw gradient has no scale: cap the first move at 1.
    const scale = history.length === 0 ? Math.min(1, 1 / Math.max(...direction.map(Math.abs))) : 1;
    const accepted = lineSearch(objective, x, current, direction, scale, project);
    if (accepted === null) {
      if (history.length === 0) break;
      history.length = 0;
      continue;
    }
    const s = accepted.x.map((value, i) => value - x[i]);
    const y = accepted.evaluation.gradient.map((g, i) => g - current.gradient[i]);
    const curvature = dot(s, y);
    if (curvature > 1e-12) {
      history.push({ s, y, rho: 1 / curvature });
      if (history.length > memory) history.shift();
    }
    const decrease = current.value - accepted.evaluation.value;
    x = accepted.x;
    current = accepted.evaluation;
    iterations++;
    if (decrease <= RELATIVE_DECREASE_TOLERANCE * Math.max(1, Math.abs(current.value))) break;
  }
  return { x, value: current.value, iterations };
}

/** The L-BFGS two-loop recursion: an estimate of H * gradient. */
function twoLoop(
  gradient: readonly number[],
  history: { s: number[]; y: number[]; rho: number }[],
) {
  const q = [...gradient];
  const alphas: number[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const { s, y, rho } = history[i];
    const alpha = rho * dot(s, q);
    alphas[i] = alpha;
    for (let k = 0; k < q.length; k++) q[k] -= alpha * y[k];
  }
  if (history.length > 0) {
    const { s, y } = history[history.length - 1];
    const gamma = dot(s, y) / dot(y, y);
    for (let k = 0; k < q.length; k++) q[k] *= gamma;
  }
  for (let i = 0; i < history.length; i++) {
    const { s, y, rho } = history[i];
    const beta = rho * dot(y, q);
    for (let k = 0; k < q.length; k++) q[k] += s[k] * (alphas[i] - beta);
  }
  return q;
}

/** Backtracking (Armijo) along the projected path; null when no step decreases the value. */
function lineSearch(
  objective: (x: readonly number[]) => Evaluation,
  x: readonly number[],
  current: Evaluation,
  direction: readonly number[],
  initialStep: number,
  project: (x: readonly number[]) => number[],
): { x: number[]; evaluation: Evaluation } | null {
  let step = initialStep;
  for (let halving = 0; halving < LINE_SEARCH_HALVINGS; halving++, step /= 2) {
    const candidate = project(x.map((value, i) => value + step * direction[i]));
    const expected = dot(current.gradient, candidate.map((value, i) => value - x[i]));
    if (!(expected < 0)) return null;
    const evaluation = objective(candidate);
    if (
      Number.isFinite(evaluation.value) && evaluation.value <= current.value + ARMIJO * expected
    ) {
      return { x: candidate, evaluation };
    }
  }
  return null;
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}
