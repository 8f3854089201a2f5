/**
 * Maximises acquisition functions over the unit cube: a seeded random pool, scored from one batch
 * of model predictions shared by all acquisitions, then a local refinement of the best few pool
 * points by Gaussian perturbations with a shrinking step. Every point considered is snapped first
 * (integer dimensions to their bin), so the score belongs to the point that would be evaluated,
 * and points already asked are skipped.
 *
 * @module
 */

import type { Prediction } from "./gaussian_process.ts";
import type { Random } from "./random.ts";

/** How worth evaluating a point is, from its posterior mean and deviation; higher is better. */
export type Scorer = (mean: number, std: number) => number;

/** The unit cube as the search sees it. */
export interface Cube {
  readonly dimensions: number;
  /** The unit coordinates of the point that `unit` would evaluate. */
  snap(unit: readonly number[]): number[];
  /** Whether a snapped unit point was already asked or told. */
  isTaken(unit: readonly number[]): boolean;
}

/** Effort of the search. */
export interface AcquisitionMaximiserOptions {
  /** Random points scored first. */
  samples?: number;
  /** Best pool points refined locally. */
  starts?: number;
  /** Refinement rounds. */
  rounds?: number;
  /** Perturbations of each start per round. */
  perturbations?: number;
  /** Initial perturbation standard deviation in unit-cube units (halved after a failed round). */
  initialStep?: number;
}

interface Incumbent {
  unit: number[];
  score: number;
  step: number;
}

/** For each scorer, the best free snapped unit point found, or null when no free point was met. */
export function maximiseAcquisitions(
  predict: (units: readonly (readonly number[])[]) => Prediction,
  scorers: readonly Scorer[],
  cube: Cube,
  random: Random,
  options: AcquisitionMaximiserOptions = {},
): (number[] | null)[] {
  const { samples = 1000, starts = 5, rounds = 20, perturbations = 10, initialStep = 0.1 } =
    options;
  const pool: number[][] = [];
  for (let i = 0; i < samples; i++) {
    const unit = cube.snap(Array.from({ length: cube.dimensions }, () => random.next()));
    if (!cube.isTaken(unit)) pool.push(unit);
  }
  if (pool.length === 0) return scorers.map(() => null);
  const predicted = predict(pool);

  return scorers.map((scorer) => {
    const scores = pool.map((_, i) => scorer(predicted.mean[i], predicted.std[i]));
    const incumbents: Incumbent[] = pool
      .map((_, i) => i)
      .sort((a, b) => scores[b] - scores[a])
      .slice(0, starts)
      .map((i) => ({ unit: pool[i], score: scores[i], step: initialStep }));
    for (let round = 0; round < rounds; round++) {
      refine(predict, scorer, cube, random, incumbents, perturbations);
    }
    return incumbents.reduce((best, incumbent) => incumbent.score > best.score ? incumbent : best)
      .unit;
  });
}

/** One round: perturb every incumbent, keep improvements, halve the step of those not improved. */
function refine(
  predict: (units: readonly (readonly number[])[]) => Prediction,
  scorer: Scorer,
  cube: Cube,
  random: Random,
  incumbents: Incumbent[],
  perturbations: number,
): void {
  const trials: number[][] = [];
  const owners: number[] = [];
  incumbents.forEach(({ unit, step }, owner) => {
    for (let p = 0; p < perturbations; p++) {
      const moved = unit.map((x) => Math.min(1, Math.max(0, x + step * random.gaussian())));
      const snapped = cube.snap(moved);
      if (!cube.isTaken(snapped)) {
        trials.push(snapped);
        owners.push(owner);
      }
    }
  });
  const improved = new Set<number>();
  if (trials.length > 0) {
    const predicted = predict(trials);
    trials.forEach((unit, i) => {
      const score = scorer(predicted.mean[i], predicted.std[i]);
      const incumbent = incumbents[owners[i]];
      if (score > incumbent.score) {
        incumbent.unit = unit;
        incumbent.score = score;
        improved.add(owners[i]);
      }
    });
  }
  incumbents.forEach((incumbent, owner) => {
    if (!improved.has(owner)) incumbent.step /= 2;
  });
}
