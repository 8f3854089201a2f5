/**
 * Fully populated samples of every payload type, shared by the codec and schema tests. Each is
 * typed as its TypeScript payload type, so a field added there must be added here too.
 *
 * @module
 */

import type {
  FactoryCommand,
  FactoryReport,
  MessageType,
  PayloadTypes,
} from "../../protocol/messages.ts";
import type { Forecast, StreamEvent } from "../../core/events.ts";
import type { HyperParameters } from "../../core/hyper_parameters.ts";
import type { Scores } from "../../core/scores.ts";

const params: HyperParameters = {
  order: 3,
  threshold: 0.6,
  pMin: 0.001,
  gamma: 0.05,
  alpha: 0,
  r: 1.05,
};

const scores: Scores = {
  tp: 12,
  tn: 9_000_000_000,
  fp: 3,
  fn: 4,
  precision: 0.8,
  recall: 0.75,
  f1: 0.774,
  specificity: 0.99,
  mcc: -0.25,
};

/** One FactoryCommand per kind: a record keyed by kind, so a new kind must get a sample. */
export const commandsByKind: {
  [K in FactoryCommand["kind"]]: Extract<FactoryCommand, { kind: K }>;
} = {
  train: {
    kind: "train",
    requestId: "req-1",
    params,
    deadline: 1_700_000_060_000,
    datasetVersion: 12,
    liveVersion: 3,
    liveMcc: 0.049,
  },
  opt_init: {
    kind: "opt_init",
    requestId: "req-2",
    runId: "run-1",
    deadline: 1_700_000_060_000,
    since: 1_699_999_000_000,
  },
  opt_step: {
    kind: "opt_step",
    requestId: "req-3",
    runId: "run-1",
    stepId: 7,
    params,
    deadline: 1_700_000_060_000,
  },
  opt_finalise: {
    kind: "opt_finalise",
    requestId: "req-4",
    runId: "run-1",
    params,
    deadline: 1_700_000_060_000,
    liveVersion: null,
    liveMcc: null,
  },
  opt_abort: { kind: "opt_abort", requestId: "req-5", runId: "run-1", reason: "superseded" },
};

/** One FactoryReport per kind, as above. */
export const reportsByKind: { [K in FactoryReport["kind"]]: Extract<FactoryReport, { kind: K }> } =
  {
    trained: {
      kind: "trained",
      requestId: "req-1",
      modelVersion: 4,
      metrics: scores,
      decision: "kept the live model v4: held-out MCC 0.690 on the candidate's test data",
      shipped: false,
    },
    opt_ready: { kind: "opt_ready", requestId: "req-2", runId: "run-1", datasetVersion: 11 },
    step_result: {
      kind: "step_result",
      requestId: "req-3",
      runId: "run-1",
      stepId: 7,
      metrics: scores,
    },
    opt_done: {
      kind: "opt_done",
      requestId: "req-4",
      runId: "run-1",
      modelVersion: 5,
      metrics: scores,
      decision: null,
      shipped: true,
    },
    failed: { kind: "failed", requestId: "req-5", runId: "run-1", reason: "deadline passed" },
  };

/** Sample events, also batched in StreamEventBatch. */
const events: StreamEvent[] = [
  {
    key: "227592820",
    timestamp: 1_443_657_600_000,
    type: "",
    attributes: { speed: 11.5, heading: 270, annotation: "0000001a", "naïve ✓": "ünïcode" },
  },
  { key: "k", timestamp: 0, type: "A", attributes: {} },
];

/** Sample forecasts, also batched in ForecastBatch. */
const forecasts: Forecast[] = [
  {
    key: "227592820",
    counter: 1_024,
    timestamp: 1_443_657_600_000,
    start: 1_026,
    end: 1_040,
    probability: 0.625,
    positive: true,
    detection: false,
    modelVersion: 3,
  },
];

/** Samples of every payload type; nullable fields appear both set and null. */
export const samples: { [T in MessageType]: PayloadTypes[T][] } = {
  StreamEvent: events,
  Forecast: forecasts,
  StreamEventBatch: [{ events }, { events: [] }],
  ForecastBatch: [
    { forecasts: [...forecasts, { ...forecasts[0], key: "k", positive: false }], model: "" },
    { forecasts, model: "north" },
  ],
  EnginePosition: [
    {
      offsets: [0, 17, 2 ** 40],
      standsAt: [-1, 420, -1],
      eventsProcessed: 30_192,
      streamTime: 1_443_657_600_000,
    },
  ],
  EngineCheckpoint: [
    {
      partition: 3,
      offset: 2 ** 40,
      streamTime: 1_443_657_600_000,
      runs: '{"runs":[]}',
      scorer: '{"partitions":[]}',
      window: "",
    },
  ],
  MetricsReport: [
    {
      reportId: 42,
      streamTimeStart: 1_443_657_600_000,
      streamTimeEnd: 1_444_262_400_000,
      batch: scores,
      cumulative: { ...scores, tp: 120, precision: Number.NaN },
      eventsInBatch: 10_080,
      eventsProcessed: 30_192,
      eventsPerSecond: 250_000.5,
      lag: -1,
      modelVersion: 3,
      creationMethod: "optimise",
      modelValidationMcc: 0.91,
    },
    {
      reportId: 43,
      streamTimeStart: 1_444_262_400_000,
      streamTimeEnd: 1_444_867_200_000,
      batch: scores,
      cumulative: scores,
      eventsInBatch: 0,
      eventsProcessed: 30_192,
      eventsPerSecond: 0,
      lag: 12,
      modelVersion: 4,
      creationMethod: "retrain",
      modelValidationMcc: null,
    },
  ],
  WindowCounts: [
    {
      partition: 2,
      windowStart: 1_443_657_600_000,
      windowEnd: 1_443_661_200_000,
      closedUntil: 1_443_668_400_000,
      events: 4_096,
      tp: 12,
      tn: 3_900,
      fp: 40,
      fn: 7,
      modelVersion: 3,
      creationMethod: "retrain",
      modelValidationMcc: 0.8,
    },
    {
      partition: 0,
      windowStart: 0,
      windowEnd: 3_600_000,
      closedUntil: 3_600_000,
      events: 0,
      tp: 0,
      tn: 0,
      fp: 0,
      fn: 0,
      modelVersion: -1,
      creationMethod: "initial",
      modelValidationMcc: null,
    },
  ],
  Instruction: [
    {
      action: "optimise",
      reason: "f1 dropped below 0.4",
      reportId: 42,
      datasetVersion: null,
      since: 1_699_999_000_000,
      liveVersion: 3,
      liveMcc: 0.061,
    },
    {
      action: "train",
      reason: "schedule tick 3",
      reportId: -1,
      datasetVersion: 12,
      since: null,
      liveVersion: null,
      liveMcc: null,
    },
  ],
  FactoryCommand: Object.values(commandsByKind),
  FactoryReport: [
    ...Object.values(reportsByKind),
    { kind: "failed", requestId: "req-6", runId: null, reason: "no dataset yet" },
  ],
  CandidateJob: [{
    jobId: "job-1",
    runId: "run-1",
    datasetUri: "file:///var/retune/datasets/11.jsonl",
    since: null,
    params,
    deadline: 1_700_000_060_000,
  }],
  CandidateResult: [
    { jobId: "job-1", worker: "factory-b", metrics: scores, error: null },
    { jobId: "job-2", worker: "factory-b", metrics: null, error: "unknown dataset" },
  ],
  ModelVersion: [
    {
      version: 5,
      artifactUri: "file:///var/retune/models/5.json",
      creationMethod: "retrain",
      params,
      metrics: scores,
      datasetVersion: 11,
      productionMs: 1_234.5,
      createdAt: 1_700_000_000_000,
      splitScores: [scores, { ...scores, mcc: -0.25 }],
      requestId: "req-7",
      recalledFrom: 2,
      trainedUntil: 1_699_999_000_000,
    },
  ],
  DatasetVersion: [
    {
      version: 11,
      buckets: [{ bucket: 12, weight: 1 }, { bucket: 13, weight: 0.5 }],
      firstBucket: 12,
      lastBucket: 13,
      streamTimeStart: 1_443_657_600_000,
      streamTimeEnd: 1_444_867_200_000,
      createdAt: 1_700_000_000_000,
      scheduled: false,
    },
  ],
  DatasetAssembled: [{ version: 11, events: 20_160, uri: "file:///var/retune/datasets/11.csv" }],
  DeadLetter: [
    {
      sourceTopic: "retune.forecasts",
      partition: 2,
      offset: 99,
      key: "227592820",
      reason: "cannot decode Forecast: truncated",
      original: new Uint8Array([0, 1, 2, 255]),
      failedAt: 1_700_000_000_000,
      originalSize: 4,
      originalSha256: "ac0b4b4b2a1e1c8b6a1d6f4c8f1e4b0c52bb1f3a0c7e6a3e8b8d5c4e9f0a1b2c",
      truncated: false,
    },
    {
      sourceTopic: "retune.input",
      partition: 0,
      offset: 0,
      key: null,
      reason: "handler threw",
      original: new Uint8Array(1_000),
      failedAt: 1_700_000_000_000,
      originalSize: 1_048_400,
      originalSha256: "",
      truncated: true,
    },
  ],
};
