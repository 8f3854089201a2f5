import assert from "node:assert/strict";
import { FactoryState } from "../../../actors/factory/factory_state.ts";
import { SnapshotError } from "../../../actors/role_snapshot.ts";

const scores = {
  tp: 1,
  tn: 2,
  fp: 0,
  fn: 1,
  precision: 1,
  recall: 0.5,
  f1: 0.67,
  specificity: 1,
  mcc: 0.58,
};

function working(): FactoryState {
  const state = new FactoryState();
  state.latest = { version: 4, uri: "datasets/4.avro", events: 3_000 };
  state.runs.set("run-a", { version: 3, uri: "datasets/3.avro", events: 2_000 });
  state.datasetsAssembled = 5;
  state.datasetsDeleted = 2;
  state.candidatesEvaluated = 6;
  state.liveKept = 1;
  state.accepted.set("request-1", {
    kind: "opt_step",
    requestId: "request-1",
    runId: "run-a",
    stepId: 3,
    params: { order: 3, threshold: 0.5, pMin: 0.001, gamma: 0.001, alpha: 0, r: 1.05 },
    deadline: 1_700_000_600_000,
  });
  state.modelsShipped.push({
    version: 0,
    artifactUri: "models/0.json",
    creationMethod: "initial",
    params: { order: 2, threshold: 0.4, pMin: 0.001, gamma: 0.001, alpha: 0, r: 1.05 },
    metrics: scores,
    datasetVersion: -1,
    productionMs: 80,
    createdAt: 1_700_000_000_000,
  });
  state.modelsShipped.push({
    version: 3,
    artifactUri: "models/3.json",
    creationMethod: "retrain",
    params: { order: 2, threshold: 0.4, pMin: 0.001, gamma: 0.001, alpha: 0, r: 1.05 },
    metrics: scores,
    datasetVersion: -1,
    productionMs: 5,
    createdAt: 1_700_000_100_000,
    recalledFrom: 0,
  });
  return state;
}

Deno.test("a factory snapshot survives JSON and restores its datasets, runs and unanswered commands", () => {
  const state = working();
  const restored = FactoryState.restore(JSON.parse(JSON.stringify(state.snapshot())));
  assert.deepEqual(restored.snapshot(), state.snapshot());
  assert.deepEqual(restored.runs.get("run-a"), {
    version: 3,
    uri: "datasets/3.avro",
    events: 2_000,
  });
  assert.deepEqual([...restored.accepted.keys()], ["request-1"]);
  assert.deepEqual(restored.view(), {
    datasetsAssembled: 5,
    datasetsDeleted: 2,
    candidatesEvaluated: 6,
    liveKept: 1,
    modelsShipped: state.view().modelsShipped,
    latestDataset: 4,
    scheduledDataset: null,
    runs: 1,
    // Per process: a restored state has tested no candidate from the work topic yet.
    candidateJobsRun: 0,
    commandsAccepted: 1,
  });
});

Deno.test("a bad factory snapshot is rejected naming the field", () => {
  const good = working().snapshot();
  const bad: [unknown, RegExp][] = [
    [{ ...good, latest: { version: 4 } }, /factory snapshot rejected: latest\.uri: /],
    [{ ...good, runs: [{ runId: "", dataset: good.latest }] }, /runs\.0\.runId: /],
    [
      { ...good, modelsShipped: [{ ...good.modelsShipped[0], creationMethod: "magic" }] },
      /modelsShipped\.0\.creationMethod: /,
    ],
    [{ ...good, accepted: [{ ...good.accepted![0], kind: "opt_magic" }] }, /accepted\.0\.kind: /],
  ];
  for (const [snapshot, message] of bad) {
    assert.throws(() => FactoryState.restore(snapshot), SnapshotError);
    assert.throws(() => FactoryState.restore(snapshot), message);
  }
});
