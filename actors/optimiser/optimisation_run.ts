/**
 * One hyper-parameter optimisation, driven over the factory protocol:
 * `opt_init` (the factory freezes its dataset) -> an `opt_step` for each point of an earlier run
 * to test again (`recheck`), whose scores start the strategy -> `opt_step` per candidate (ask,
 * train + test on held-out data, tell) with up to `concurrency` steps in flight ->
 * `opt_finalise` with the best, rechecked points included.
 * A step that misses its deadline is retried; past the retries the run is aborted, so a dead
 * factory costs at most a few deadlines and nothing waits forever.
 *
 * @module
 */

import type { HyperParameters } from "../../core/hyper_parameters.ts";
import type { Scores } from "../../core/scores.ts";
import type { LiveScore } from "../../protocol/messages.ts";
import { DeadlineError, type FactoryClient, FactoryFailure } from "./factory_client.ts";

/** A point of the search space, keyed by dimension name. */
export type Point = Record<string, number>;

/** The ask/tell surface of a search strategy (Bayesian optimisation or random search). */
export interface AskTell {
  ask(): Point;
  tell(point: Point, value: number): void;
}

/** A finished evaluation: the candidate and its held-out scores. */
export interface Evaluation {
  point: Point;
  params: HyperParameters;
  mcc: number;
  scores: Scores | null;
}

/** Budgets and deadlines of one run. */
export interface RunSettings {
  /** Candidates to ask the strategy for in this run (rechecked points not included). */
  evaluations: number;
  /** Steps in flight at once. */
  concurrency: number;
  initDeadlineMs: number;
  stepDeadlineMs: number;
  finaliseDeadlineMs: number;
  /** Extra attempts for a step that missed its deadline. */
  retries: number;
  /** Test candidates on the data from this stream time on (epoch ms); null: the whole dataset. */
  since?: number | null;
  /** Points of an earlier run tested again on this run's dataset before the strategy starts. */
  recheck?: readonly Point[];
  /** How the live model fares in service, passed with `opt_finalise` to the factory's gate. */
  live?: LiveScore;
}

/** Where a run is: steps asked so far and the evaluations told. */
export interface RunProgress {
  runId: string;
  asked: number;
  evaluations: readonly Evaluation[];
}

/** How the run ended. */
export type RunOutcome =
  | {
    status: "completed";
    runId: string;
    datasetVersion: number;
    best: Evaluation;
    evaluations: Evaluation[];
    /** The model in service after the run: the one it shipped, or the live one kept (`shipped`). */
    modelVersion: number;
    shipped: boolean;
    /** Why that model is in service (`factory.gate`); null: the new one, ungated. */
    decision: string | null;
  }
  | { status: "abandoned"; runId: string; reason: string; evaluations: Evaluation[] };

/** MCC told to the strategy for a candidate the factory could not train or test. */
const FAILED_CANDIDATE_SCORE = -1;

/**
 * Runs one optimisation to its end; never throws for factory trouble, returns `abandoned`. The
 * strategy is made (`strategyFor`) once the `recheck` points were tested on the run's dataset.
 * `observe` hears of every step asked and told (the optimiser persists them).
 */
export async function runOptimisation(
  runId: string,
  client: FactoryClient,
  strategyFor: (rechecked: readonly Evaluation[]) => AskTell,
  toParams: (point: Point) => HyperParameters,
  settings: RunSettings,
  observe: (progress: RunProgress) => void = () => {},
): Promise<RunOutcome> {
  const evaluations: Evaluation[] = [];
  let datasetVersion: number;
  try {
    const ready = await client.request(
      { kind: "opt_init", runId, since: settings.since ?? null },
      settings.initDeadlineMs,
    );
    if (ready.kind !== "opt_ready") {
      throw new Error(`unexpected report '${ready.kind}' to opt_init`);
    }
    datasetVersion = ready.datasetVersion;
  } catch (error) {
    return await abandon(client, runId, `opt_init: ${message(error)}`, evaluations);
  }

  try {
    const rechecks = settings.recheck ?? [];
    // One at a time: a handful of points, each told before the strategy exists.
    for (const [stepId, point] of rechecks.entries()) {
      observe({ runId, asked: stepId + 1, evaluations: [...evaluations] });
      const params = toParams(point);
      const scores = await evaluateStep(runId, stepId, client, params, settings);
      evaluations.push({ point, params, mcc: scores?.mcc ?? FAILED_CANDIDATE_SCORE, scores });
    }
    const strategy = strategyFor([...evaluations]);
    const first = rechecks.length;
    await evaluateAll(runId, client, strategy, toParams, settings, evaluations, observe, first);
  } catch (error) {
    return await abandon(client, runId, message(error), evaluations);
  }

  const best = evaluations.reduce<Evaluation | null>(
    (top, e) => (top === null || e.mcc > top.mcc ? e : top),
    null,
  );
  if (best === null) return await abandon(client, runId, "no candidate evaluated", evaluations);
  try {
    const done = await client.request(
      { kind: "opt_finalise", runId, params: best.params, ...settings.live },
      settings.finaliseDeadlineMs,
    );
    if (done.kind !== "opt_done") throw new Error(`unexpected report '${done.kind}' to finalise`);
    return {
      status: "completed",
      runId,
      datasetVersion,
      best,
      evaluations,
      modelVersion: done.modelVersion,
      shipped: done.shipped ?? true,
      decision: done.decision ?? null,
    };
  } catch (error) {
    return await abandon(client, runId, `opt_finalise: ${message(error)}`, evaluations);
  }
}

/** Keeps up to `concurrency` steps in flight, numbered from `firstStep`, until the budget is spent. */
async function evaluateAll(
  runId: string,
  client: FactoryClient,
  strategy: AskTell,
  toParams: (point: Point) => HyperParameters,
  settings: RunSettings,
  evaluations: Evaluation[],
  observe: (progress: RunProgress) => void,
  firstStep: number,
): Promise<void> {
  let asked = firstStep;
  const report = () => observe({ runId, asked, evaluations: [...evaluations] });
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  const launch = (): void => {
    const stepId = asked++;
    const point = strategy.ask();
    const params = toParams(point);
    const step = evaluateStep(runId, stepId, client, params, settings).then(
      (scores) => {
        const mcc = scores?.mcc ?? FAILED_CANDIDATE_SCORE;
        strategy.tell(point, mcc);
        evaluations.push({ point, params, mcc, scores });
        report();
      },
      (error) => {
        failure ??= error;
      },
    ).finally(() => inFlight.delete(step));
    inFlight.add(step);
    report();
  };
  const last = firstStep + settings.evaluations;
  while (failure === null && (asked < last || inFlight.size > 0)) {
    while (
      failure === null && asked < last && inFlight.size < settings.concurrency
    ) {
      launch();
    }
    if (inFlight.size > 0) await Promise.race(inFlight);
  }
  await Promise.allSettled(inFlight);
  if (failure !== null) throw failure;
}

/** One candidate: scores, or null when the factory reported it cannot be trained. */
async function evaluateStep(
  runId: string,
  stepId: number,
  client: FactoryClient,
  params: HyperParameters,
  settings: RunSettings,
): Promise<Scores | null> {
  for (let attempt = 0;; attempt++) {
    try {
      const report = await client.request(
        { kind: "opt_step", runId, stepId, params },
        settings.stepDeadlineMs,
      );
      if (report.kind !== "step_result") throw new Error(`unexpected report '${report.kind}'`);
      return report.metrics;
    } catch (error) {
      if (error instanceof FactoryFailure) return null;
      if (!(error instanceof DeadlineError) || attempt >= settings.retries) {
        throw new Error(`step ${stepId}: ${message(error)} (after ${attempt + 1} attempts)`);
      }
    }
  }
}

async function abandon(
  client: FactoryClient,
  runId: string,
  reason: string,
  evaluations: Evaluation[],
): Promise<RunOutcome> {
  // Best effort: a dead factory cannot hear it, a live one releases the frozen dataset.
  await client.abort(runId, reason).catch(() => {});
  return { status: "abandoned", runId, reason, evaluations };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
