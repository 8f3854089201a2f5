import assert from "node:assert/strict";
import { LoadDeadlineError, loadModel } from "../../../actors/serving/model_loading.ts";
import type { ModelRecord } from "../../../core/model_record.ts";
import type { Forecaster, ForecastingModel } from "../../../models/model.ts";
import { MemoryArtifactStore } from "../../../storage/memory_artifact_store.ts";

const record = (artifactUri: string): ModelRecord => ({
  version: 4,
  artifactUri,
  creationMethod: "retrain",
  params: { order: 2, threshold: 0.7, pMin: 0.001, gamma: 0.001, alpha: 0, r: 1.05 },
  metrics: { tp: 0, tn: 0, fp: 0, fn: 0, precision: 0, recall: 0, f1: 0, specificity: 0, mcc: 0 },
  datasetVersion: 1,
  productionMs: 1,
  createdAt: 0,
  lineage: { parent: 3, reason: "retrain" },
  artifactRetiredAt: null,
});

/** A model whose forecaster is a marker, loaded with the settings it was given. */
const model = {
  name: "stub",
  train: () => Promise.reject(new Error("not used")),
  test: () => Promise.reject(new Error("not used")),
  load: (artifact: unknown, settings: unknown, version: number) =>
    Promise.resolve({ artifact, settings, version } as unknown as Forecaster),
} as ForecastingModel;

const settings = { threshold: 0.5, horizon: 200, maxSpread: 200 };
const policy = { initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 2_000 };

Deno.test("a load that fails is tried again with a growing, capped pause until it works", async () => {
  const artifacts = new MemoryArtifactStore();
  const uri = await artifacts.put("models", "v4.json", new TextEncoder().encode("{ broken"));
  const failures: { attempt: number; reason: string; nextInMs: number }[] = [];
  const loaded = loadModel(
    record(uri),
    { artifacts, model, settings },
    policy,
    AbortSignal.any([]),
    (f) => {
      failures.push(f);
      // Repaired after the third failure.
      if (f.attempt === 3) {
        artifacts.put("models", "v4.json", new TextEncoder().encode('{"format":"x"}'));
      }
    },
  );
  const forecaster = await loaded as unknown as { artifact: unknown; settings: unknown };
  assert.deepEqual(forecaster.artifact, { format: "x" });
  assert.deepEqual(forecaster.settings, { ...settings, threshold: 0.7 }, "the version's threshold");
  assert.ok(failures.length >= 3);
  assert.match(failures[0].reason, /artifact .*v4\.json is not JSON/);
  assert.ok(failures.every((f) => f.nextInMs <= policy.maxBackoffMs), JSON.stringify(failures));
});

Deno.test("past its deadline a load gives up, naming the last failure", async () => {
  const artifacts = new MemoryArtifactStore();
  const missing = record("memory://models/none.json");
  let failures = 0;
  const error = await loadModel(
    missing,
    { artifacts, model, settings },
    { ...policy, deadlineMs: 150 },
    AbortSignal.any([]),
    () => failures++,
  ).then(() => null, (e) => e);
  assert.ok(error instanceof LoadDeadlineError, String(error));
  assert.match(
    error.message,
    /^could not load model v4 within 150 ms \(serving\.loadDeadlineMs\): /,
  );
  assert.ok(failures >= 2, "it tried more than once");
});

Deno.test("an aborted load stops with the abort's reason", async () => {
  const artifacts = new MemoryArtifactStore();
  const stop = new AbortController();
  const loading = loadModel(
    record("memory://models/none.json"),
    { artifacts, model, settings },
    policy,
    stop.signal,
    () => stop.abort(new Error("another version was designated")),
  );
  await assert.rejects(loading, { message: "another version was designated" });
});
