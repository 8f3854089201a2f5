/**
 * Retune's protocol: every message that crosses a mailbox or data topic.
 *
 * Each payload type has an Avro schema `schemas/<Type>.avsc` (record `retune.<Type>`), compiled
 * by `protocol/schemas.ts` and used by the one codec, `protocol/codec.ts`. A test
 * (`tests/protocol/schemas_test.ts`) checks every type's fields against its schema at every
 * level, so the two cannot drift apart. Counters and epoch milliseconds are Avro `long` and fit a
 * JS number; optional fields are Avro unions with `null`, here `| null`. The domain records that
 * messages carry (events, forecasts, scores, versions) are defined in `core/`.
 *
 * @module
 */

import type { Forecast, StreamEvent } from "../core/events.ts";
import type { HyperParameters } from "../core/hyper_parameters.ts";
import type { MetricsReport } from "../core/metrics_report.ts";
import type { WindowCounts } from "../core/window_counts.ts";
import type { Scores } from "../core/scores.ts";
import type { DatasetAssembled, DatasetVersion, ModelVersion } from "../core/versions.ts";

/**
 * One record of the input topic: consecutive events whose keys all land on the record's
 * partition. Batching amortises the per-record cost of the transport and of Avro over many events.
 */
export interface StreamEventBatch {
  events: StreamEvent[];
}

/** One record of the output topic: forecasts whose keys all land on the record's partition. */
export interface ForecastBatch {
  forecasts: Forecast[];
  /** The fleet model that made them; "" for a deployment of one model (and older batches). */
  model: string;
}

/** The engine's progress on the input topic, so the collector never reads ahead of it. */
export interface EnginePosition {
  /** Next offset to process, per input partition (index = partition). */
  offsets: number[];
  /**
   * Per input partition, the index in the record at its next offset of the event the engine
   * stands at, having processed those before it (lockstep, at a report window's end); -1 between
   * records. Empty from an engine that predates it.
   */
  standsAt: number[];
  eventsProcessed: number;
  streamTime: number;
}

/** An input partition's engine run state with the input offset it corresponds to. */
export interface EngineCheckpoint {
  partition: number;
  /** Next input offset to process: the state reflects every record before it. */
  offset: number;
  /** Greatest event time of the partition so far. */
  streamTime: number;
  /** JSON: the forecaster's run state of the partition's keys. */
  runs: string;
  /** JSON: the partition's scorer snapshot. */
  scorer: string;
  /** JSON: the partition's open window of the stream-time grid (`reportBy: partition`); "": none. */
  window: string;
}

/**
 * How the live model fared in service, as the report that set a command off saw it: the factory's
 * gate does not keep a model that is failing where it serves (`actors/factory/model_choice.ts`).
 */
export interface LiveScore {
  /** The model version the report scored; null or absent: no report. */
  liveVersion?: number | null;
  /** Its batch MCC in the report; null or absent: no report. */
  liveMcc?: number | null;
}

/** What the observer asks the optimiser to do (with the triggering report's `LiveScore`). */
export interface Instruction extends LiveScore {
  action: "train" | "optimise";
  reason: string;
  /** Report that triggered it; -1 for none (a scheduled retrain, one asked of a serving replica). */
  reportId: number;
  /** Dataset version to train on (a scheduled retrain's window); null or absent: the newest. */
  datasetVersion?: number | null;
  /**
   * An optimisation's candidates are tested on the data from this stream time on (epoch ms: the
   * start of the report window whose score asked for it); null or absent: on the whole dataset.
   */
  since?: number | null;
}

/** A command from the optimiser to the factory. */
export type FactoryCommand =
  | {
    kind: "train";
    requestId: string;
    params: HyperParameters;
    deadline: number;
    /** Dataset version to train on; null or absent: the newest. */
    datasetVersion?: number | null;
  }
    & LiveScore
  | {
    kind: "opt_init";
    requestId: string;
    runId: string;
    deadline: number;
    /** Test candidates on the data from this stream time on (epoch ms); null or absent: all. */
    since?: number | null;
  }
  | {
    kind: "opt_step";
    requestId: string;
    runId: string;
    stepId: number;
    params: HyperParameters;
    deadline: number;
  }
  | {
    kind: "opt_finalise";
    requestId: string;
    runId: string;
    params: HyperParameters;
    deadline: number;
  }
    & LiveScore
  | { kind: "opt_abort"; requestId: string; runId: string; reason: string };

/** A report from the factory back to the optimiser. */
export type FactoryReport =
  | {
    kind: "trained";
    requestId: string;
    modelVersion: number;
    metrics: Scores;
    /** Why that model is in service (`factory.gate`); null or absent: the new one, ungated. */
    decision?: string | null;
    /** False when the live model was kept (`modelVersion`): nothing new ships. Absent: true. */
    shipped?: boolean;
  }
  | { kind: "opt_ready"; requestId: string; runId: string; datasetVersion: number }
  | { kind: "step_result"; requestId: string; runId: string; stepId: number; metrics: Scores }
  | {
    kind: "opt_done";
    requestId: string;
    runId: string;
    modelVersion: number;
    metrics: Scores;
    /** Why that model is in service (`factory.gate`); null or absent: the new one, ungated. */
    decision?: string | null;
    /** False when the live model was kept (`modelVersion`): nothing new ships. Absent: true. */
    shipped?: boolean;
  }
  | { kind: "failed"; requestId: string; runId: string | null; reason: string };

/** One optimisation candidate to train and test, for any factory process to take. */
export interface CandidateJob {
  jobId: string;
  runId: string;
  /** The run's frozen dataset. */
  datasetUri: string;
  /** Test on the data from this stream time on (epoch ms); null or absent: all. */
  since?: number | null;
  params: HyperParameters;
  /** Epoch ms after which nobody waits for the result. */
  deadline: number;
}

/** The held-out scores a factory process measured for a `CandidateJob`, or why it failed. */
export interface CandidateResult {
  jobId: string;
  /** The factory instance that ran it. */
  worker: string;
  metrics: Scores | null;
  error: string | null;
}

/** A message that could not be decoded, validated or handled, kept with the reason. */
export interface DeadLetter {
  sourceTopic: string;
  partition: number;
  offset: number;
  key: string | null;
  reason: string;
  /** The original value, or its first bytes when `truncated`. */
  original: Uint8Array;
  failedAt: number;
  /** Size of the whole original (bytes; characters for a file's line); -1 when not recorded. */
  originalSize: number;
  /** Hex SHA-256 of the whole original; empty when not recorded. */
  originalSha256: string;
  truncated: boolean;
}

/** Payload type of every message, by the name used in the envelope and the schema file. */
export interface PayloadTypes {
  StreamEvent: StreamEvent;
  Forecast: Forecast;
  StreamEventBatch: StreamEventBatch;
  ForecastBatch: ForecastBatch;
  EnginePosition: EnginePosition;
  EngineCheckpoint: EngineCheckpoint;
  MetricsReport: MetricsReport;
  WindowCounts: WindowCounts;
  Instruction: Instruction;
  FactoryCommand: FactoryCommand;
  FactoryReport: FactoryReport;
  CandidateJob: CandidateJob;
  CandidateResult: CandidateResult;
  ModelVersion: ModelVersion;
  DatasetVersion: DatasetVersion;
  DatasetAssembled: DatasetAssembled;
  DeadLetter: DeadLetter;
}

/** Name of a payload type. */
export type MessageType = keyof PayloadTypes;

/** Every message travels in an envelope. */
export interface Envelope<T extends MessageType = MessageType> {
  /** Unique message id (nanoid). */
  id: string;
  type: T;
  /** Role (or role instance) that sent it. */
  sender: string;
  /** Wall-clock send time, epoch ms. */
  sentAt: number;
  /** Id of the message or request this one answers, if any. */
  correlationId: string | null;
  payload: PayloadTypes[T];
  /** The model of the fleet it is about (`config/fleet.ts`); "": the whole deployment. */
  model: string;
}

/** A decoded message of any type, discriminated by `type`. */
export type AnyEnvelope = { [T in MessageType]: Envelope<T> }[MessageType];
