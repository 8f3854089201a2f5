/**
 * One training job: train and test a candidate on an assembled dataset, on the folds of the
 * evaluation scheme. It reads the dataset itself (keeping the last few parsed, since an
 * optimisation tests many candidates on the same dataset), so no large dataset is ever copied
 * between threads when it runs in a worker.
 *
 * @module
 */

import type { HyperParameters, StreamEvent } from "../../protocol/messages.ts";
import type { ForecastSettings, ModelArtifact, ModelMetrics } from "../../models/model.ts";
import { createModel, type ModelSpec } from "../../models/create_model.ts";
import { poolMetrics } from "../../models/scoring.ts";
import { decodeDataset } from "./dataset_file.ts";
import { type EvaluationScheme, splitForEvaluation } from "./evaluation_split.ts";

/** One training job. */
export interface TrainingJob {
  model: ModelSpec;
  /** `file:` URL of the assembled dataset. */
  datasetUrl: string;
  scheme: EvaluationScheme;
  params: HyperParameters;
  settings: ForecastSettings;
  /** Also fit a model on the whole dataset and return its artifact. */
  fitFull: boolean;
}

/** What a job produced. */
export interface TrainingResult {
  /** Held-out metrics, pooled over the folds. */
  metrics: ModelMetrics;
  /** The model fitted on the whole dataset, when asked for. */
  artifact: ModelArtifact | null;
  trainMs: number;
}

const CACHED_DATASETS = 2;
const datasets = new Map<string, StreamEvent[]>();

async function dataset(url: string): Promise<StreamEvent[]> {
  let events = datasets.get(url);
  if (events === undefined) {
    events = decodeDataset(await Deno.readFile(new URL(url)));
    datasets.set(url, events);
    if (datasets.size > CACHED_DATASETS) datasets.delete(datasets.keys().next().value!);
  }
  return events;
}

/** Runs a job: train on each fold's training part, test on its later part, then fit if asked. */
export async function runTrainingJob(job: TrainingJob): Promise<TrainingResult> {
  const started = performance.now();
  const events = await dataset(job.datasetUrl);
  const model = createModel(job.model);
  const perFold: ModelMetrics[] = [];
  for (const fold of splitForEvaluation(events, job.scheme)) {
    const artifact = await model.train(fold.train, job.params);
    perFold.push(await model.test(artifact, fold.test, job.settings));
  }
  const artifact = job.fitFull ? await model.train(events, job.params) : null;
  return { metrics: poolMetrics(perFold), artifact, trainMs: performance.now() - started };
}
