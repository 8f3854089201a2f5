/**
 * Maximises acquisition functions over the unit cube: a seeded pool (uniform points, plus points
 * scattered around the best evaluated ones), scored from one batch of model predictions shared by
 * all acquisitions, then a local polish of the best few pool points. The polish alternates a
 * bounded quasi-Newton ascent over the continuous dimensions (finite-difference gradients, the
 * integer dimensions held) with moves of one value up or down along each integer dimension, until
 * neither improves. Every point scored is one that could be evaluated (integer coordinates at
 * their bin centres), and points already asked are skipped.
 *
 * @module
 */

import { minimiseBounded } from "./bounded_lbfgs.ts";
import type { Prediction } from "./gaussian_process.ts";
import type { Random } from "./random.ts";

/** How worth evaluating a point is, from its posterior mean and deviation; higher is better. */
export type Scorer = (mean: number, std: number) => number;

/** The unit cube as the search sees it. */
export interface Cube {
  readonly dimensions: number;
  /** Per dimension: the unit width of one value of an integer dimension, null if continuous. */
  readonly bins: readonly (number | null)[];
  /** The unit coordinates of the point that `unit` would evaluate. */
  snap(unit: readonly number[]): number[];
  /** Whether a snapped unit point was already asked or told. */
  isTaken(unit: readonly number[]): boolean;
}

/** Effort of the search. */
export interface AcquisitionMaximiserOptions {
  /** Uniform random points scored first. */
  samples?: number;
  /** Points scattered around each centre (Gaussian, `spread` wide) and scored with the pool. */
  nearSamples?: number;
  /** Standard deviation of the scatter around the centres, in unit-cube units. */
  spread?: number;
  /** Best pool points polished locally. */
  starts?: number;
  /** Quasi-Newton iterations of each continuous ascent. */
  iterations?: number;
  /** Alternations of continuous ascent and integer moves per start at most. */
  rounds?: number;
}

interface Candidate {
  unit: number[];
  score: number;
}

// Finite-difference step of the acquisition gradients, in unit-cube units.
const DIFFERENCE_STEP = 1e-6;

/**
 * For each scorer, the best free snapped unit point found, or null when no free point was met.
 * `centres` (e.g. the best evaluated points) draw part of the pool around them.
 */
export function maximiseAcquisitions(
  predict: (units: readonly (readonly number[])[]) => Prediction,
  scorers: readonly Scorer[],
  cube: Cube,
  random: Random,
  options: AcquisitionMaximiserOptions = {},
  centres: readonly (readonly number[])[] = [],
): (number[] | null)[] {
  const {
    samples = 2000,
    nearSamples = 100,
    spread = 0.05,
    starts = 5,
    iterations = 30,
    rounds = 10,
  } = options;
  const pool: number[][] = [];
  const add = (unit: number[]) => {
    const snapped = cube.snap(unit.map((x) => Math.min(1, Math.max(0, x))));
    if (!cube.isTaken(snapped)) pool.push(snapped);
  };
  for (let i = 0; i < samples; i++) {
    add(Array.from({ length: cube.dimensions }, () => random.next()));
  }
  for (const centre of centres) {
    for (let i = 0; i < nearSamples; i++) add(centre.map((x) => x + spread * random.gaussian()));
  }
  if (pool.length === 0) return scorers.map(() => null);
  const predicted = predict(pool);

  return scorers.map((scorer) => {
    const score = (units: readonly (readonly number[])[]): number[] => {
      const { mean, std } = predict(units);
      return mean.map((m, i) => scorer(m, std[i]));
    };
    const scores = pool.map((_, i) => scorer(predicted.mean[i], predicted.std[i]));
    const ranked = pool.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
    const polished = ranked.slice(0, starts)
      .map((i) => polish({ unit: pool[i], score: scores[i] }, score, cube, iterations, rounds))
      .filter((candidate) => !cube.isTaken(candidate.unit))
      .sort((a, b) => b.score - a.score);
    return polished.length > 0 ? polished[0].unit : pool[ranked[0]];
  });
}

/** Alternates continuous ascent and integer moves from `start` until neither improves. */
function polish(
  start: Candidate,
  score: (units: readonly (readonly number[])[]) => number[],
  cube: Cube,
  iterations: number,
  rounds: number,
): Candidate {
  let best = start;
  for (let round = 0; round < rounds; round++) {
    const ascended = ascend(best, score, cube, iterations);
    const moved = moveIntegers(ascended, score, cube);
    const improved = moved.score > best.score;
    if (improved) best = moved;
    if (!improved || moved === ascended) break;
  }
  return best;
}

/** Bounded quasi-Newton ascent over the continuous dimensions, the integer ones held. */
function ascend(
  start: Candidate,
  score: (units: readonly (readonly number[])[]) => number[],
  cube: Cube,
  iterations: number,
): Candidate {
  const free = cube.bins.flatMap((bin, i) => (bin === null ? [i] : []));
  if (free.length === 0) return start;
  // Scores may be tiny (expected improvement near convergence): measure them relative to the
  // start so the minimiser's tolerances mean the same at every scale.
  const scale = Math.abs(start.score) > 0 ? Math.abs(start.score) : 1;
  const place = (x: readonly number[]) => {
    const unit = [...start.unit];
    free.forEach((d, k) => unit[d] = x[k]);
    return unit;
  };
  const minimum = minimiseBounded(
    (x) => {
      const unit = place(x);
      // Forward differences, backward at the upper bound.
      const steps = x.map((v) => (v + DIFFERENCE_STEP <= 1 ? DIFFERENCE_STEP : -DIFFERENCE_STEP));
      const probes = [unit, ...free.map((d, k) => unit.map((u, j) => j === d ? u + steps[k] : u))];
      const [value, ...moved] = score(probes);
      return {
        value: -value / scale,
        gradient: moved.map((m, k) => -(m - value) / steps[k] / scale),
      };
    },
    free.map((d) => start.unit[d]),
    { lower: free.map(() => 0), upper: free.map(() => 1), maxIterations: iterations },
  );
  const unit = cube.snap(place(minimum.x));
  const [value] = score([unit]);
  return value > start.score ? { unit, score: value } : start;
}

/** The best of `start` and its neighbours one integer value away along one dimension. */
function moveIntegers(
  start: Candidate,
  score: (units: readonly (readonly number[])[]) => number[],
  cube: Cube,
): Candidate {
  const neighbours: number[][] = [];
  cube.bins.forEach((bin, d) => {
    if (bin === null) return;
    for (const delta of [-bin, bin]) {
      const value = start.unit[d] + delta;
      if (value < 0 || value > 1) continue;
      const unit = cube.snap(start.unit.map((u, j) => (j === d ? value : u)));
      if (!cube.isTaken(unit)) neighbours.push(unit);
    }
  });
  if (neighbours.length === 0) return start;
  const scores = score(neighbours);
  let best = start;
  scores.forEach((value, i) => {
    if (value > best.score) best = { unit: neighbours[i], score: value };
  });
  return best;
}
