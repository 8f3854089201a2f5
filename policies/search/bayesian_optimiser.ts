/**
 * Bayesian optimisation with ask/tell: Latin-hypercube initial points, then a Gaussian process
 * (Matern, normalised targets, log-warped or not as configured or as makes them likelier,
 * hyper-parameters refitted at every ask)
 * and an acquisition function
 * (EI, PI, LCB or the GP-Hedge portfolio of the three) maximised over the unit cube. Points asked
 * but not yet told are modelled at the mean observed value ("constant liar"), so concurrent asks
 * spread out instead of piling onto one candidate. Every `polishEvery`-th ask polishes instead: it
 * asks the minimiser of the posterior mean (pure exploitation), which the acquisitions alone reach
 * only slowly, so a found basin is refined to the model's precision while the other asks explore;
 * a polish whose minimiser lies on a point already asked asks the acquisition's choice instead.
 *
 * @module
 */

import { type AcquisitionKind, acquisitionScore } from "./acquisition.ts";
import { type Cube, maximiseAcquisitions } from "./acquisition_maximiser.ts";
import { GaussianProcess, type Prediction } from "./gaussian_process.ts";
import { GpHedge } from "./gp_hedge.ts";
import { latinHypercube } from "./latin_hypercube.ts";
import { LedgerStrategy } from "./ledger_strategy.ts";
import { type WarpedLosses, warpLogJacobian, warpLosses } from "./target_warp.ts";
import type { KernelParameters, MaternNu } from "./matern.ts";
import { Random } from "./random.ts";
import type { SearchConfig } from "./strategy.ts";

/** The acquisition to maximise; `hedge` is GP-Hedge over EI, PI and LCB (RTCEF's default). */
export type Acquisition = AcquisitionKind | "hedge";

/**
 * How the model sees the losses: `log` and `tail` warp them (`target_warp.ts`), `none` leaves them,
 * `auto` fits `log` and `none` at every ask and keeps the one under which the losses are likelier.
 */
export type TargetWarp = "auto" | "log" | "tail" | "none";

/** Configuration of a Bayesian optimisation run. */
export interface BayesianOptimiserConfig extends SearchConfig {
  /** Points before the model is used, reused samples included, at most `budget`. */
  initialPoints: number;
  acquisition: Acquisition;
  /** Improvement margin of EI and PI, in objective units (as scikit-optimize's), >= 0. */
  xi: number;
  /** Confidence width of LCB, in standard deviations, >= 0. */
  kappa: number;
  /** Matern smoothness. */
  nu: MaternNu;
  /** How greedily GP-Hedge follows the arm with the highest gain, > 0. */
  hedgeEta: number;
  /** Random restarts of the kernel fit per ask, beside the warm start from the previous fit. */
  gpRestarts: number;
  /** Most optimiser iterations of each kernel fit, >= 1. */
  gpIterations: number;
  /** Warp of the losses before the model is fitted; `none` (standardised only) unless told. */
  targetWarp?: TargetWarp;
  /**
   * Every `polishEvery`-th ask of the model (counting all asks, reused samples included) minimises
   * the posterior mean instead of the acquisition; 0 (never) unless told.
   */
  polishEvery?: number;
}

const HEDGE_ARMS: readonly AcquisitionKind[] = ["ei", "pi", "lcb"];
// Told samples needed before a model is fitted: a kernel's length scale needs two points to
// measure; fewer leaves random asks.
const MIN_MODEL_SAMPLES = 2;
// Best evaluated points the acquisition pool also samples around.
const CENTRES = 3;
// Unit-cube distance (along every dimension) under which a polish would re-measure an asked point.
const POLISH_TOLERANCE = 1e-3;

/** Gaussian-process Bayesian optimisation behind the ask/tell interface. */
export class BayesianOptimiser extends LedgerStrategy {
  readonly #random: Random;
  readonly #design: number[][];
  readonly #kinds: readonly AcquisitionKind[];
  readonly #hedge: GpHedge | null;
  readonly #xi: number;
  readonly #kappa: number;
  readonly #nu: MaternNu;
  readonly #gpRestarts: number;
  readonly #gpIterations: number;
  readonly #targetWarp: TargetWarp;
  readonly #polishEvery: number;
  // The last fit of each warp, where its next fit starts.
  readonly #kernels = new Map<Exclude<TargetWarp, "auto">, KernelParameters>();
  #hedgeProposals: number[][] | null = null;

  /** Validates `config`, tells the reused samples and lays out the initial design. */
  constructor(config: BayesianOptimiserConfig) {
    // The ledger validates the shared configuration (budget first) before anything else.
    super(config);
    const { initialPoints, acquisition, xi, kappa, nu, gpRestarts, gpIterations } = config;
    const targetWarp = config.targetWarp ?? "none";
    const polishEvery = config.polishEvery ?? 0;
    if (!Number.isSafeInteger(initialPoints) || initialPoints < 0) {
      throw new RangeError(
        `initialPoints must be a non-negative integer: current value is ${initialPoints}`,
      );
    }
    if (initialPoints > config.budget) {
      throw new RangeError(
        `initialPoints must be <= budget (${config.budget}): current value is ${initialPoints}`,
      );
    }
    if (!["ei", "pi", "lcb", "hedge"].includes(acquisition)) {
      throw new RangeError(
        `acquisition must be ei, pi, lcb or hedge: current value is '${acquisition}'`,
      );
    }
    if (!(xi >= 0 && Number.isFinite(xi))) {
      throw new RangeError(`xi must be finite and >= 0: current value is ${xi}`);
    }
    if (!(kappa >= 0 && Number.isFinite(kappa))) {
      throw new RangeError(`kappa must be finite and >= 0: current value is ${kappa}`);
    }
    if (nu !== 1.5 && nu !== 2.5) {
      throw new RangeError(`nu must be 1.5 or 2.5: current value is ${nu}`);
    }
    if (!Number.isSafeInteger(gpRestarts) || gpRestarts < 0) {
      throw new RangeError(`gpRestarts must be an integer >= 0: current value is ${gpRestarts}`);
    }
    if (!Number.isSafeInteger(gpIterations) || gpIterations < 1) {
      throw new RangeError(
        `gpIterations must be an integer >= 1: current value is ${gpIterations}`,
      );
    }
    if (!Number.isSafeInteger(polishEvery) || polishEvery < 0) {
      throw new RangeError(`polishEvery must be an integer >= 0: current value is ${polishEvery}`);
    }
    if (!["auto", "log", "tail", "none"].includes(targetWarp)) {
      throw new RangeError(
        `targetWarp must be auto, log, tail or none: current value is '${targetWarp}'`,
      );
    }
    this.#random = new Random(config.seed);
    this.#design = latinHypercube(
      Math.max(0, initialPoints - this.ledger.reused),
      config.space.dimensions.length,
      this.#random,
    );
    this.#kinds = acquisition === "hedge" ? HEDGE_ARMS : [acquisition];
    this.#hedge = acquisition === "hedge" ? new GpHedge(HEDGE_ARMS.length, config.hedgeEta) : null;
    this.#xi = xi;
    this.#kappa = kappa;
    this.#nu = nu;
    this.#gpRestarts = gpRestarts;
    this.#gpIterations = gpIterations;
    this.#targetWarp = targetWarp;
    this.#polishEvery = polishEvery;
  }

  /** The next point: from the initial design, else the acquisition's best free point. */
  protected nextUnit(): number[] {
    return this.#nextDesignPoint() ??
      (this.ledger.history.length < MIN_MODEL_SAMPLES
        ? this.ledger.drawFree(this.#random)
        : this.#propose());
  }

  #nextDesignPoint(): number[] | null {
    while (this.#design.length > 0) {
      const unit = this.ledger.space.snap(this.#design.shift()!);
      if (!this.ledger.isTaken(unit)) return unit;
    }
    return null;
  }

  /** Fits the model to told and outstanding points, then maximises the acquisition (or polishes). */
  #propose(): number[] {
    const ledger = this.ledger;
    const losses = ledger.history.map((sample) => ledger.loss(sample.value));
    const pending = ledger.pendingUnits;
    const asked = ledger.history.length + pending.length;
    const polishing = this.#polishEvery > 0 && asked % this.#polishEvery === 0;
    const seed = this.#random.seed();
    const warps = this.#targetWarp === "auto" ? (["log", "none"] as const) : [this.#targetWarp];
    const fits = warps.map((warp) => {
      const warped: WarpedLosses = warp === "none"
        ? { values: losses, spread: 1, warped: false }
        : warpLosses(losses, warp);
      const lie = warped.values.reduce((sum, loss) => sum + loss, 0) / warped.values.length;
      const targets = [...warped.values, ...pending.map(() => lie)];
      const gp = GaussianProcess.fit([...ledger.toldUnits, ...pending], targets, {
        nu: this.#nu,
        start: this.#kernels.get(warp),
        // A polish exploits the model it has: the warm start alone, no fresh restarts.
        restarts: polishing ? 0 : this.#gpRestarts,
        seed,
        maxIterations: this.#gpIterations,
      });
      this.#kernels.set(warp, gp.kernel.parameters);
      return { gp, warped, targets, told: warped.values, spread: warped.spread };
    });
    // Log density of the losses themselves (the standardisation and the warp undone): needed only
    // to choose between warps (`auto`), so a fixed warp skips it.
    const evidence = ({ gp, warped, targets }: (typeof fits)[number]) =>
      gp.logMarginalLikelihood - targets.length * Math.log(gp.targetScale) +
      warpLogJacobian({ ...warped, values: targets });
    const { gp, told, spread } = fits.length === 1
      ? fits[0]
      : fits.reduce((best, fit) => evidence(fit) > evidence(best) ? fit : best);
    const predict = (units: readonly (readonly number[])[]): Prediction => {
      const { mean, std } = gp.predict(units);
      return { mean: mean.map((m) => gp.normalise(m)), std: std.map((s) => s / gp.targetScale) };
    };

    if (this.#hedge !== null && this.#hedgeProposals !== null) {
      // Rewarded after the refit, as in GP-Hedge: lower predicted loss is a higher reward.
      this.#hedge.reward(predict(this.#hedgeProposals).mean.map((m) => -m));
      this.#hedgeProposals = null;
    }
    const best = Math.min(...told.map((loss) => gp.normalise(loss)));
    // xi is in objective units, as in scikit-optimize: a fixed margin, not one that grows with
    // the spread of the values seen (which would stop refining near the optimum). The warp's
    // slope at the lowest loss is 1 / spread, so near the optimum the margin is xi / spread.
    const parameters = { xi: this.#xi / spread / gp.targetScale, kappa: this.#kappa };
    const cube: Cube = {
      dimensions: ledger.space.dimensions.length,
      bins: ledger.space.unitBins,
      snap: (unit) => ledger.space.snap(unit),
      isTaken: (unit) => ledger.isTaken(unit),
    };
    const acquisitions = this.#kinds.map((kind) => (mean: number, std: number) =>
      acquisitionScore(kind, mean, std, best, parameters)
    );
    // A polish is scored beside the acquisitions, which stand in when it would only re-measure
    // a point already asked: the model has nothing to learn there.
    const scorers = polishing ? [(mean: number) => -mean, ...acquisitions] : acquisitions;
    const proposals = maximiseAcquisitions(
      predict,
      scorers,
      cube,
      this.#random,
      {},
      bestUnits(ledger.toldUnits, told, CENTRES),
    );
    const free = proposals.filter((unit): unit is number[] => unit !== null);
    if (free.length < proposals.length) {
      // The acquisition pool met no free point: fall back to any free point, or report exhaustion.
      return ledger.drawFree(this.#random);
    }
    if (polishing && !isNear(free[0], [...ledger.toldUnits, ...pending])) return free[0];
    const choices = polishing ? free.slice(1) : free;
    if (this.#hedge === null) return choices[0];
    this.#hedgeProposals = choices;
    return choices[this.#hedge.choose(this.#random)];
  }
}

/** Whether `unit` lies within `POLISH_TOLERANCE` of one of `units` along every dimension. */
function isNear(unit: readonly number[], units: readonly (readonly number[])[]): boolean {
  return units.some((other) => other.every((x, d) => Math.abs(x - unit[d]) < POLISH_TOLERANCE));
}

/** The `count` units of lowest loss. */
function bestUnits(
  units: readonly (readonly number[])[],
  losses: readonly number[],
  count: number,
): (readonly number[])[] {
  return losses.map((loss, i) => ({ loss, unit: units[i] }))
    .sort((a, b) => a.loss - b.loss)
    .slice(0, count)
    .map(({ unit }) => unit);
}
