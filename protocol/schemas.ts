/**
 * The Avro schemas of every message (`schemas/*.avsc`), compiled once when this module loads.
 *
 * The files are imported as text, so they belong to the module graph: `deno compile` embeds them
 * and no read permission is needed. (Deno refuses `with { type: "json" }` for the `.avsc`
 * extension, and renaming the files would hide that they are Avro schemas.)
 *
 * @module
 */

import avro from "avsc";
import { decodeRecordsAsPlainObjects, retuneTypes } from "./avsc_internals.ts";
import type { MessageType } from "./messages.ts";
import bucketRef from "../schemas/BucketRef.avsc" with { type: "text" };
import candidateJob from "../schemas/CandidateJob.avsc" with { type: "text" };
import candidateResult from "../schemas/CandidateResult.avsc" with { type: "text" };
import creationMethod from "../schemas/CreationMethod.avsc" with { type: "text" };
import datasetAssembled from "../schemas/DatasetAssembled.avsc" with { type: "text" };
import datasetVersion from "../schemas/DatasetVersion.avsc" with { type: "text" };
import deadLetter from "../schemas/DeadLetter.avsc" with { type: "text" };
import engineCheckpoint from "../schemas/EngineCheckpoint.avsc" with { type: "text" };
import enginePosition from "../schemas/EnginePosition.avsc" with { type: "text" };
import envelope from "../schemas/Envelope.avsc" with { type: "text" };
import factoryCommand from "../schemas/FactoryCommand.avsc" with { type: "text" };
import factoryReport from "../schemas/FactoryReport.avsc" with { type: "text" };
import forecast from "../schemas/Forecast.avsc" with { type: "text" };
import hyperParameters from "../schemas/HyperParameters.avsc" with { type: "text" };
import instruction from "../schemas/Instruction.avsc" with { type: "text" };
import metricsReport from "../schemas/MetricsReport.avsc" with { type: "text" };
import modelVersion from "../schemas/ModelVersion.avsc" with { type: "text" };
import scores from "../schemas/Scores.avsc" with { type: "text" };
import streamEvent from "../schemas/StreamEvent.avsc" with { type: "text" };
import streamEventBatch from "../schemas/StreamEventBatch.avsc" with { type: "text" };
import windowCounts from "../schemas/WindowCounts.avsc" with { type: "text" };
import forecastBatch from "../schemas/ForecastBatch.avsc" with { type: "text" };

/** Every named type compiled so far, by full name: later schemas refer to earlier ones by name. */
const named: Record<string, avro.Type> = {};

function compile(source: string): avro.Type {
  return avro.Type.forSchema(JSON.parse(source), {
    registry: named,
    omitRecordMethods: true,
    typeHook: retuneTypes,
  });
}

function compileRecord(source: string): avro.types.RecordType {
  const type = compile(source);
  if (!(type instanceof avro.types.RecordType)) {
    throw new TypeError(`a message schema must be a record: current schema is ${source}`);
  }
  return type;
}

// Shared named types first.
for (const shared of [scores, hyperParameters, bucketRef, creationMethod]) compile(shared);

/** The compiled Avro type of every payload, by message type (record `retune.<Type>`). */
export const payloadAvroTypes: { readonly [T in MessageType]: avro.types.RecordType } = {
  StreamEvent: compileRecord(streamEvent),
  Forecast: compileRecord(forecast),
  // After their items' records, which they refer to by name.
  StreamEventBatch: compileRecord(streamEventBatch),
  ForecastBatch: compileRecord(forecastBatch),
  EnginePosition: compileRecord(enginePosition),
  EngineCheckpoint: compileRecord(engineCheckpoint),
  MetricsReport: compileRecord(metricsReport),
  WindowCounts: compileRecord(windowCounts),
  Instruction: compileRecord(instruction),
  FactoryCommand: compileRecord(factoryCommand),
  FactoryReport: compileRecord(factoryReport),
  CandidateJob: compileRecord(candidateJob),
  CandidateResult: compileRecord(candidateResult),
  ModelVersion: compileRecord(modelVersion),
  DatasetVersion: compileRecord(datasetVersion),
  DatasetAssembled: compileRecord(datasetAssembled),
  DeadLetter: compileRecord(deadLetter),
};

/** The compiled Avro type of the envelope; its `payload` holds the payload's own encoding. */
export const envelopeAvroType: avro.types.RecordType = compileRecord(envelope);

/** The envelope as written before fleets: without `model` (its own registry: same full name). */
export const priorEnvelopeAvroType = withoutField(envelope, "model");

/** The forecast batch as written before fleets: without `model` (its items are today's). */
export const priorForecastBatchAvroType = withoutField(forecastBatch, "model", ["retune.Forecast"]);

/** The engine checkpoint as written before per-partition windows: without `window`. */
export const priorEngineCheckpointAvroType = withoutField(engineCheckpoint, "window");

/**
 * `schema` less its field `name`, compiled in a registry of its own (the same full name), which
 * shares the already compiled types it `refers` to by full name.
 */
function withoutField(schema: string, name: string, refers: string[] = []): avro.types.RecordType {
  const registry = Object.fromEntries(refers.map((fullName) => [fullName, named[fullName]]));
  const parsed = JSON.parse(schema);
  return avro.Type.forSchema({
    ...parsed,
    fields: parsed.fields.filter((field: { name: string }) => field.name !== name),
  }, { registry, omitRecordMethods: true, typeHook: retuneTypes }) as avro.types.RecordType;
}

/**
 * A writer's schema as a schema registry holds it (Avro JSON text, named types inline), compiled
 * in a registry of its own so that it never replaces one of today's types of the same name.
 */
export function compileWriterSchema(text: string): avro.Type {
  return avro.Type.forSchema(JSON.parse(text), {
    registry: {},
    omitRecordMethods: true,
    typeHook: retuneTypes,
  });
}

// Decoded records are plain objects, deep-equal to literals of the TS types.
decodeRecordsAsPlainObjects([
  ...Object.values(named),
  priorEnvelopeAvroType,
  priorForecastBatchAvroType,
  priorEngineCheckpointAvroType,
]);
