/**
 * What each topic's records are, by the topic's purpose (its key under `topics:`): the bare
 * payloads of the data topics and the changelog, dead letters, or envelopes on every mailbox.
 * README's protocol table says the same for people.
 *
 * @module
 */

import type { RecordType } from "./codec.ts";

/** The record type of each topic purpose. */
export const TOPIC_RECORD_TYPES = {
  input: "StreamEventBatch",
  output: "ForecastBatch",
  metrics: "Envelope",
  position: "Envelope",
  deadLetters: "DeadLetter",
  instructions: "Envelope",
  factoryCommands: "Envelope",
  factoryReports: "Envelope",
  factoryWork: "Envelope",
  factoryResults: "Envelope",
  modelVersions: "Envelope",
  datasetVersions: "Envelope",
  datasetsAssembled: "Envelope",
  engineChangelog: "EngineCheckpoint",
  windowCounts: "Envelope",
} as const satisfies Record<string, RecordType>;
