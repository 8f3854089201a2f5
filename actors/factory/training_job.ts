/**
 * One training job: train and test a candidate on an assembled dataset, on the folds of the
 * evaluation scheme. It reads the dataset itself, so no large dataset is ever copied between
 * threads when it runs in a worker. An optimisation tests many candidates on the same dataset, so
 * a worker keeps the last few datasets parsed and split, and its model, from job to job: the same
 * fold arrays reach the same model, which derives what it needs from a dataset only once.
 *
 * @module
 */

import type { HyperParameters } from "../../core/hyper_parameters.ts";
import type { Scores } from "../../core/scores.ts";
import type { StreamEvent } from "../../core/events.ts";
import type {
  ForecastingModel,
  ForecastSettings,
  ModelArtifact,
  ModelMetrics,
} from "../../models/model.ts";
import { createModel, type ModelSpec } from "../../models/create_model.ts";
import { meanOverSplits, scoresPart } from "../../models/scoring.ts";
import { decodeArtifact } from "../../models/artifact_codec.ts";
import type { ArtifactStore } from "../../storage/artifact_store.ts";
import { openStores, type StorageSpec } from "../../storage/storage_spec.ts";
import { decodeDataset } from "./dataset_file.ts";
import { plateauCentre, type ThresholdChoice, thresholdGrid } from "./threshold_choice.ts";
import {
  type EvaluationFocus,
  type EvaluationScheme,
  type Fold,
  splitForEvaluation,
} from "./evaluation_split.ts";

/** One training job. */
export interface TrainingJob {
  model: ModelSpec;
  /** The deployment's stores. */
  storage: StorageSpec;
  /** URI of the assembled dataset in the stores' artifacts. */
  datasetUri: string;
  scheme: EvaluationScheme;
  /** Where test sets are cut from (`splitForEvaluation`); null or absent: the whole dataset. */
  focus?: EvaluationFocus | null;
  params: HyperParameters;
  settings: ForecastSettings;
  /** Also fit a model on the whole dataset and return its artifact. */
  fitFull: boolean;
  /**
   * The threshold the fitted model gets (with `fitFull`): `settings.threshold`, or tuned on the
   * folds' held-out data (`threshold_choice.ts`); absent: asked.
   */
  threshold?: ThresholdChoice;
  /** Models already made to test on the same test sets (`actors/factory/model_choice.ts`). */
  rivals?: readonly RivalModel[];
}

/** A stored model a job tests beside its candidate. */
export interface RivalModel {
  version: number;
  /** URI of its artifact in the stores' artifacts. */
  artifactUri: string;
  /** Its own forecast threshold. */
  threshold: number;
  /** Stream time of the last event it was trained on; null when not recorded. */
  trainedUntil: number | null;
}

/** A rival's held-out scores on the job's comparison sets, or why it could not be tested. */
export type RivalResult =
  | { version: number; metrics: ModelMetrics; splits: Scores[] }
  | { version: number; error: string };

/** What a job produced. */
export interface TrainingResult {
  /** Held-out metrics: the mean over the folds (`meanOverSplits`). */
  metrics: ModelMetrics;
  /** Held-out scores of each fold, in stream order (one for a holdout). */
  splits: Scores[];
  /** The model fitted on the whole dataset, when asked for. */
  artifact: ModelArtifact | null;
  /** The job's rivals, in its order. */
  rivals: RivalResult[];
  /**
   * The candidate's held-out metrics on the comparison sets (what its rivals are scored on: the
   * test events after the newest rival's training data); null without rivals or such events.
   */
  comparison: ModelMetrics | null;
  /** Stream time of the dataset's last event, when the job fitted the whole dataset. */
  trainedUntil: number | null;
  /** The threshold the metrics were measured at, and the fitted model is for. */
  threshold: number;
  trainMs: number;
}

/** A parsed dataset and its folds by evaluation scheme. */
interface Prepared {
  events: StreamEvent[];
  folds: Map<string, Fold[]>;
}

// Datasets (and models) a worker keeps parsed: the one an optimisation is stepping through and
// the one a concurrent retrain uses, so neither evicts the other.
const CACHED = 2;
const datasets = new Map<string, Prepared>();
const models = new Map<string, ForecastingModel>();
/** Artifact stores by their spec: a worker opens its deployment's once. */
const stores = new Map<string, ArtifactStore>();

/** `cache[key]`, made by `make` when missing; only the `CACHED` newest entries are kept. */
async function cached<T>(cache: Map<string, T>, key: string, make: () => T | Promise<T>) {
  let value = cache.get(key);
  if (value === undefined) {
    value = await make();
    cache.set(key, value);
    if (cache.size > CACHED) cache.delete(cache.keys().next().value!);
  }
  return value;
}

/** Runs a job: train on each fold's training part, test on its later part, then fit if asked. */
export async function runTrainingJob(job: TrainingJob): Promise<TrainingResult> {
  const started = performance.now();
  const artifacts = await cached(
    stores,
    JSON.stringify(job.storage),
    async () => (await openStores(job.storage)).artifacts,
  );
  const dataset = await cached(datasets, job.datasetUri, async () => ({
    events: decodeDataset(await artifacts.get(job.datasetUri)),
    folds: new Map(),
  }));
  const folds = await cached(
    dataset.folds,
    JSON.stringify([job.scheme, job.focus ?? null]),
    () => splitForEvaluation(dataset.events, job.scheme, job.focus ?? null),
  );
  const model = await cached(models, JSON.stringify(job.model), () => createModel(job.model));
  const foldArtifacts: ModelArtifact[] = [];
  for (const fold of folds) foldArtifacts.push(await model.train(fold.train, job.params));
  // Only a model about to ship gets a tuned threshold; candidates are tested at the asked one.
  const tuned = job.fitFull && job.threshold?.kind === "tuned" ? job.threshold : null;
  const { threshold, perFold } = tuned !== null
    ? await tunedThreshold(model, folds, foldArtifacts, job.settings, tuned)
    : {
      threshold: job.settings.threshold,
      perFold: await testFolds(model, folds, foldArtifacts, job.settings),
    };
  const settings = { ...job.settings, threshold };
  const artifact = job.fitFull ? await model.train(dataset.events, job.params) : null;
  const { rivals, comparison } = (job.rivals ?? []).length === 0
    ? { rivals: [], comparison: null }
    : await compare(model, artifacts, { ...job, settings }, folds, foldArtifacts, perFold);
  return {
    metrics: meanOverSplits(perFold),
    splits: perFold.map(scoresPart),
    artifact,
    rivals,
    comparison,
    trainedUntil: job.fitFull ? lastTime(dataset.events) : null,
    threshold,
    trainMs: performance.now() - started,
  };
}

/** Each fold's model tested on the fold's test part. */
async function testFolds(
  model: ForecastingModel,
  folds: readonly Fold[],
  foldArtifacts: readonly ModelArtifact[],
  settings: ForecastSettings,
): Promise<ModelMetrics[]> {
  const perFold: ModelMetrics[] = [];
  for (const [i, fold] of folds.entries()) {
    perFold.push(await model.test(foldArtifacts[i], fold.test, settings));
  }
  return perFold;
}

/** The folds tested at every threshold of the grid; the plateau's centre and its metrics. */
async function tunedThreshold(
  model: ForecastingModel,
  folds: readonly Fold[],
  foldArtifacts: readonly ModelArtifact[],
  settings: ForecastSettings,
  choice: Extract<ThresholdChoice, { kind: "tuned" }>,
): Promise<{ threshold: number; perFold: ModelMetrics[] }> {
  const grid = thresholdGrid(choice);
  // byFold[f][t]: fold f's model at threshold t; one at a time (a Wayeb test is a process).
  const byFold: ModelMetrics[][] = [];
  for (const [i, fold] of folds.entries()) {
    if (model.testThresholds !== undefined) {
      byFold.push(await model.testThresholds(foldArtifacts[i], fold.test, settings, grid));
      continue;
    }
    const perThreshold: ModelMetrics[] = [];
    for (const threshold of grid) {
      perThreshold.push(await model.test(foldArtifacts[i], fold.test, { ...settings, threshold }));
    }
    byFold.push(perThreshold);
  }
  const atThreshold = (t: number) => byFold.map((perThreshold) => perThreshold[t]);
  const scores = grid.map((_, t) => meanOverSplits(atThreshold(t)).mcc);
  const threshold = plateauCentre(grid, scores, choice.halfWidth, settings.threshold);
  return { threshold, perFold: atThreshold(grid.indexOf(threshold)) };
}

/**
 * The job's rivals and its candidate scored on the same sets: each fold's test events after the
 * newest rival's training data, so that no model is scored on events it learnt from (a live model
 * scored on its own training data looks better than it is). Folds left empty are dropped; with
 * none left, every rival is reported untested, saying why. A fold kept whole keeps the
 * candidate's score on it.
 */
async function compare(
  model: ForecastingModel,
  artifacts: ArtifactStore,
  job: TrainingJob,
  folds: readonly Fold[],
  foldArtifacts: readonly ModelArtifact[],
  perFold: readonly ModelMetrics[],
): Promise<{ rivals: RivalResult[]; comparison: ModelMetrics | null }> {
  const rivals = job.rivals ?? [];
  const after = Math.max(-Infinity, ...rivals.map((rival) => rival.trainedUntil ?? -Infinity));
  const sets = folds
    .map((fold, i) => ({ i, test: fold.test.filter((event) => event.timestamp > after) }))
    .filter(({ test }) => test.length > 0);
  if (sets.length === 0) {
    const error = `no held-out event after ${
      new Date(after).toISOString()
    }, the end of the newest rival's training data`;
    return { rivals: rivals.map(({ version }) => ({ version, error })), comparison: null };
  }
  const scored: ModelMetrics[] = [];
  for (const { i, test } of sets) {
    scored.push(
      test.length === folds[i].test.length
        ? perFold[i]
        : await model.test(foldArtifacts[i], test, job.settings),
    );
  }
  const tests = sets.map(({ test }) => test);
  const results: RivalResult[] = [];
  for (const rival of rivals) {
    results.push(await testRival(model, artifacts, rival, tests, job.settings));
  }
  return { rivals: results, comparison: meanOverSplits(scored) };
}

/** The latest timestamp of `events`; null when there are none. */
function lastTime(events: readonly StreamEvent[]): number | null {
  let last: number | null = null;
  for (const { timestamp } of events) if (last === null || timestamp > last) last = timestamp;
  return last;
}

/**
 * Tests a stored model on each of `tests`. Its artifact may have been retired since it was
 * chosen (deleted by a newer model's shipping): it is then reported untested, not an error.
 */
async function testRival(
  model: ForecastingModel,
  artifacts: ArtifactStore,
  rival: RivalModel,
  tests: readonly (readonly StreamEvent[])[],
  settings: ForecastSettings,
): Promise<RivalResult> {
  let artifact: ModelArtifact;
  try {
    artifact = decodeArtifact(await artifacts.get(rival.artifactUri), rival.artifactUri);
  } catch (error) {
    return {
      version: rival.version,
      error: error instanceof Error ? error.message : String(error),
    };
  }
  const perFold: ModelMetrics[] = [];
  for (const test of tests) {
    perFold.push(await model.test(artifact, test, { ...settings, threshold: rival.threshold }));
  }
  return {
    version: rival.version,
    metrics: meanOverSplits(perFold),
    splits: perFold.map(scoresPart),
  };
}
