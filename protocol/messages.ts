/**
 * Retune's protocol: every message that crosses a mailbox or data topic.
 *
 * Each payload type has an Avro schema `schemas/<Type>.avsc` (record `retune.<Type>`), compiled
 * by `protocol/schemas.ts` and used by the one codec, `protocol/codec.ts`. A test
 * (`tests/protocol/schemas_test.ts`) checks every type's fields against its schema at every
 * level, so the two cannot drift apart. Counters and epoch milliseconds are Avro `long` and fit a
 * JS number; optional fields are Avro unions with `null`, here `| null`.
 *
 * @module
 */

/** A value an event attribute may take. */
export type AttributeValue = number | string;

/** One event of the input stream: a partition key, a stream time and named attributes. */
export interface StreamEvent {
  /** Partition value (the pattern's `partitionBy` attribute, e.g. the vessel's mmsi). */
  key: string;
  /** Stream time in epoch milliseconds. */
  timestamp: number;
  /** Event type; `""` when the source has none. */
  type: string;
  attributes: Record<string, AttributeValue>;
}

/** A forecast the engine emitted for one partition after one of its events. */
export interface Forecast {
  key: string;
  /** Per-partition event counter at which the forecast was made. */
  counter: number;
  timestamp: number;
  /** Interval of future per-partition counters in which a match is expected. */
  start: number;
  end: number;
  probability: number;
  /** False for a negative forecast (no interval reached the confidence threshold). */
  positive: boolean;
  /** True when this very event completed a pattern match. */
  detection: boolean;
  modelVersion: number;
}

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
}

/** The engine's progress on the input topic, so the collector never reads ahead of it. */
export interface EnginePosition {
  /** Next offset to process, per input partition (index = partition). */
  offsets: number[];
  eventsProcessed: number;
  streamTime: number;
}

/** Confusion counts and the scores derived from them. */
export interface Scores {
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  specificity: number;
  mcc: number;
}

/** How a model version came to be. */
export type CreationMethod = "initial" | "retrain" | "optimise";

/** The engine's periodic metrics report (one point of the metrics time series). */
export interface MetricsReport {
  reportId: number;
  /** Stream time covered by this batch, epoch ms. */
  streamTimeStart: number;
  streamTimeEnd: number;
  batch: Scores;
  cumulative: Scores;
  eventsInBatch: number;
  eventsProcessed: number;
  eventsPerSecond: number;
  /** Events published to the input topic but not yet processed, when known; -1 otherwise. */
  lag: number;
  modelVersion: number;
  creationMethod: CreationMethod;
}

/** What the observer asks the optimiser to do. */
export interface Instruction {
  action: "train" | "optimise";
  reason: string;
  /** Report that triggered it. */
  reportId: number;
}

/** Forecasting hyper-parameters: the optimiser's search space and the factory's training input. */
export interface HyperParameters {
  /** Maximum PST depth / Markov order m. */
  order: number;
  /** Forecast confidence threshold theta_fc. */
  threshold: number;
  pMin: number;
  gamma: number;
  alpha: number;
  r: number;
}

/** A command from the optimiser to the factory. */
export type FactoryCommand =
  | { kind: "train"; requestId: string; params: HyperParameters; deadline: number }
  | { kind: "opt_init"; requestId: string; runId: string; deadline: number }
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
  | { kind: "opt_abort"; requestId: string; runId: string; reason: string };

/** A report from the factory back to the optimiser. */
export type FactoryReport =
  | { kind: "trained"; requestId: string; modelVersion: number; metrics: Scores }
  | { kind: "opt_ready"; requestId: string; runId: string; datasetVersion: number }
  | { kind: "step_result"; requestId: string; runId: string; stepId: number; metrics: Scores }
  | { kind: "opt_done"; requestId: string; runId: string; modelVersion: number; metrics: Scores }
  | { kind: "failed"; requestId: string; runId: string | null; reason: string };

/** A model the factory published for the engine to swap in. */
export interface ModelVersion {
  version: number;
  /** Where the artifact lives, resolved by the artifact store (not a bare local path). */
  artifactUri: string;
  creationMethod: CreationMethod;
  params: HyperParameters;
  metrics: Scores;
  datasetVersion: number;
  /** Wall time spent producing it, ms. */
  productionMs: number;
  createdAt: number;
}

/** A bucket referenced by a dataset version, with the weight the policy gave it. */
export interface BucketRef {
  bucket: number;
  /** Share of the bucket's events to include, in (0, 1]. */
  weight: number;
}

/** The collector's announcement "v7 = buckets 12..20". */
export interface DatasetVersion {
  version: number;
  buckets: BucketRef[];
  firstBucket: number;
  lastBucket: number;
  streamTimeStart: number;
  streamTimeEnd: number;
  createdAt: number;
}

/** The factory's answer that a dataset version is assembled and its buckets may go. */
export interface DatasetAssembled {
  version: number;
  events: number;
  uri: string;
}

/** A message that could not be decoded, validated or handled, kept with the reason. */
export interface DeadLetter {
  sourceTopic: string;
  partition: number;
  offset: number;
  key: string | null;
  reason: string;
  original: Uint8Array;
  failedAt: number;
}

/** Payload type of every message, by the name used in the envelope and the schema file. */
export interface PayloadTypes {
  StreamEvent: StreamEvent;
  Forecast: Forecast;
  StreamEventBatch: StreamEventBatch;
  ForecastBatch: ForecastBatch;
  EnginePosition: EnginePosition;
  MetricsReport: MetricsReport;
  Instruction: Instruction;
  FactoryCommand: FactoryCommand;
  FactoryReport: FactoryReport;
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
}

/** A decoded message of any type, discriminated by `type`. */
export type AnyEnvelope = { [T in MessageType]: Envelope<T> }[MessageType];
