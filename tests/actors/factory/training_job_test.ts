/**
 * Training jobs as a factory worker runs them, one after another in one module instance: a worker
 * keeps datasets, folds and its model between jobs, and every job must still score exactly what
 * a fresh model scores on the same split.
 */

import assert from "node:assert/strict";
import type { HyperParameters } from "../../../core/hyper_parameters.ts";
import type { StreamEvent } from "../../../core/events.ts";
import type { ForecastSettings, ModelMetrics } from "../../../models/model.ts";
import { createModel, type ModelSpec } from "../../../models/create_model.ts";
import { modelSpecOf } from "../../../config/build_model.ts";
import { meanOverSplits, scoresPart } from "../../../models/scoring.ts";
import { MARITIME_SOURCE, readEvents } from "../../../models/sources/read.ts";
import { defaultConfig } from "../../../config/load.ts";
import { encodeDataset } from "../../../actors/factory/dataset_file.ts";
import {
  type EvaluationScheme,
  splitForEvaluation,
} from "../../../actors/factory/evaluation_split.ts";
import { runTrainingJob, type TrainingJob } from "../../../actors/factory/training_job.ts";
import { FilesystemArtifactStore } from "../../../storage/filesystem_artifact_store.ts";
import type { StorageSpec } from "../../../storage/storage_spec.ts";
import { tempDirForProcess } from "../../fixtures/temp_dir.ts";

const MARITIME = new URL("../../../deploy/examples/maritime/", import.meta.url);
const PARAMS: HyperParameters = {
  order: 2,
  threshold: 0.5,
  pMin: 0.001,
  gamma: 0.001,
  alpha: 0,
  r: 1.05,
};
const SETTINGS: ForecastSettings = { threshold: 0.5, horizon: 200, maxSpread: 200 };
const HOLDOUT: EvaluationScheme = { kind: "holdout", testFraction: 0.3 };
const DIR = tempDirForProcess("retune-training-job-");
const STORAGE: StorageSpec = { kind: "fs", buckets: `${DIR}/buckets`, artifacts: DIR };
/** Jobs read the pattern, the track and their dataset files; the test writes those files. */
const permissions = { read: true, write: [DIR] };

/** The default configuration's model (the bundled maritime pattern). */
function spec(): Promise<ModelSpec> {
  return modelSpecOf(defaultConfig().model, "unused");
}

/** Two stretches of the bundled track, each stored as a dataset artifact; their URIs. */
async function datasets(): Promise<{ events: StreamEvent[]; uri: string }[]> {
  const { events } = await readEvents(
    new URL("vessel_227592820.csv", MARITIME).pathname,
    MARITIME_SOURCE,
  );
  const stretches = [events.slice(0, 3_000), events.slice(6_000, 8_000)];
  return await Promise.all(stretches.map(async (stretch, i) => {
    const uri = await new FilesystemArtifactStore(DIR).put(
      "datasets",
      `v${i}.jsonl`,
      encodeDataset(stretch),
    );
    return { events: stretch, uri };
  }));
}

/** What a new model scores on each of the scheme's folds of `events`. */
async function freshMetrics(
  model: ModelSpec,
  events: readonly StreamEvent[],
  scheme: EvaluationScheme,
  params: HyperParameters,
): Promise<ModelMetrics[]> {
  const perFold: ModelMetrics[] = [];
  for (const fold of splitForEvaluation(events, scheme)) {
    const fresh = createModel(model);
    perFold.push(await fresh.test(await fresh.train(fold.train, params), fold.test, SETTINGS));
  }
  return perFold;
}

Deno.test(
  "jobs after jobs score what a fresh model scores, across parameters, schemes and datasets",
  { permissions },
  async () => {
    const model = await spec();
    const [first, second] = await datasets();
    const cases: [typeof first, EvaluationScheme, HyperParameters][] = [
      [first, HOLDOUT, PARAMS],
      [first, HOLDOUT, { ...PARAMS, order: 3, pMin: 0.0001 }],
      [first, { kind: "walk_forward", folds: 2 }, PARAMS],
      [second, HOLDOUT, PARAMS],
      [first, HOLDOUT, { ...PARAMS, order: 1 }],
    ];
    for (const [dataset, scheme, params] of cases) {
      const job: TrainingJob = {
        model,
        storage: STORAGE,
        datasetUri: dataset.uri,
        scheme,
        params,
        settings: SETTINGS,
        fitFull: false,
      };
      const result = await runTrainingJob(job);
      const perFold = await freshMetrics(model, dataset.events, scheme, params);
      const what = `order ${params.order} on ${dataset.uri} (${scheme.kind})`;
      assert.deepEqual(result.metrics, meanOverSplits(perFold), what);
      assert.deepEqual(result.splits, perFold.map(scoresPart), what);
      assert.equal(result.artifact, null);
    }
  },
);

Deno.test("fitFull also returns the model fitted on every event", { permissions }, async () => {
  const model = await spec();
  const [dataset] = await datasets();
  const result = await runTrainingJob({
    model,
    storage: STORAGE,
    datasetUri: dataset.uri,
    scheme: HOLDOUT,
    params: PARAMS,
    settings: SETTINGS,
    fitFull: true,
  });
  assert.deepEqual(result.artifact, await createModel(model).train(dataset.events, PARAMS));
});
