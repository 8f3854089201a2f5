import assert from "node:assert/strict";
import avro from "avsc";
import { Buffer } from "node:buffer";
import {
  decodeEnvelope,
  decodePayload,
  encodeEnvelope,
  encodePayload,
  newEnvelope,
} from "../../protocol/codec.ts";
import {
  payloadAvroTypes,
  priorEngineCheckpointAvroType,
  priorEnvelopeAvroType,
  priorForecastBatchAvroType,
} from "../../protocol/schemas.ts";
import forecastSchema from "../../schemas/Forecast.avsc" with { type: "text" };
import modelVersionSchema from "../../schemas/ModelVersion.avsc" with { type: "text" };
import scoresSchema from "../../schemas/Scores.avsc" with { type: "text" };
import hyperParametersSchema from "../../schemas/HyperParameters.avsc" with { type: "text" };
import creationMethodSchema from "../../schemas/CreationMethod.avsc" with { type: "text" };
import instructionSchema from "../../schemas/Instruction.avsc" with { type: "text" };
import datasetVersionSchema from "../../schemas/DatasetVersion.avsc" with { type: "text" };
import bucketRefSchema from "../../schemas/BucketRef.avsc" with { type: "text" };
import deadLetterSchema from "../../schemas/DeadLetter.avsc" with { type: "text" };
import { samples } from "./message_samples.ts";

const [forecast] = samples.Forecast;

/** The Forecast schema of today, and a newer one that adds an optional field. */
const oldForecast = payloadAvroTypes.Forecast;
const newForecast = avro.Type.forSchema({
  ...JSON.parse(forecastSchema),
  fields: [
    ...JSON.parse(forecastSchema).fields,
    { name: "explanation", type: ["null", "string"], default: null },
  ],
});

Deno.test("an old reader reads what a newer writer wrote, without the new field", {
  permissions: "none",
}, () => {
  const written = newForecast.toBuffer({ ...forecast, explanation: "state 4 of the automaton" });
  const read = oldForecast.fromBuffer(written, oldForecast.createResolver(newForecast));
  assert.deepStrictEqual(read, forecast);
});

Deno.test("a new reader reads what an older writer wrote, with the default", {
  permissions: "none",
}, () => {
  const written = Buffer.from(encodePayload("Forecast", forecast));
  const read = newForecast.fromBuffer(written, newForecast.createResolver(oldForecast));
  assert.deepEqual({ ...read }, { ...forecast, explanation: null });
});

Deno.test("without a resolver the new writer's bytes do not pass as the old type", {
  permissions: "none",
}, () => {
  const written = newForecast.toBuffer({ ...forecast, explanation: "x" });
  assert.throws(() => oldForecast.fromBuffer(written), /trailing data/);
});

Deno.test("dead letters written before size, digest and truncation were recorded read as unknown", {
  permissions: "none",
}, () => {
  const schema = JSON.parse(deadLetterSchema);
  const added = ["originalSize", "originalSha256", "truncated"];
  const before = avro.Type.forSchema({
    ...schema,
    fields: schema.fields.filter((field: { name: string }) => !added.includes(field.name)),
  });
  const { originalSize: _, originalSha256: __, truncated: ___, ...old } = samples.DeadLetter[0];
  const now = payloadAvroTypes.DeadLetter;
  const written = before.toBuffer({ ...old, original: Buffer.from(old.original) });
  const read = now.fromBuffer(written, now.createResolver(before));
  assert.deepEqual({ ...read, original: new Uint8Array(read.original) }, {
    ...old,
    originalSize: -1,
    originalSha256: "",
    truncated: false,
  });
});

/** A fresh registry holding the named types the message schemas share. */
function sharedTypes(): Record<string, avro.Type> {
  const registry: Record<string, avro.Type> = {};
  for (
    const schema of [scoresSchema, hyperParametersSchema, creationMethodSchema, bucketRefSchema]
  ) {
    avro.Type.forSchema(JSON.parse(schema), { registry });
  }
  return registry;
}

Deno.test(
  "model versions written before split scores, request ids, recalls and data ends were kept read with none",
  {
    permissions: "none",
  },
  () => {
    const schema = JSON.parse(modelVersionSchema);
    const added = ["splitScores", "requestId", "recalledFrom", "trainedUntil"];
    const before = avro.Type.forSchema({
      ...schema,
      fields: schema.fields.filter((field: { name: string }) => !added.includes(field.name)),
    }, { registry: sharedTypes() });
    const { splitScores: _, requestId: __, recalledFrom: ___, trainedUntil: ____, ...old } =
      samples.ModelVersion[0];
    const now = payloadAvroTypes.ModelVersion;
    const read = now.fromBuffer(before.toBuffer(old), now.createResolver(before));
    const defaults = { splitScores: [], requestId: null, recalledFrom: null, trainedUntil: null };
    assert.deepEqual({ ...read }, { ...old, ...defaults });
    assert.deepEqual(decodePayload("ModelVersion", encodePayload("ModelVersion", old)), {
      ...old,
      ...defaults,
    });
  },
);

Deno.test(
  "instructions, commands and dataset versions written before schedules and focus read as unscheduled and unfocused",
  {
    permissions: "none",
  },
  () => {
    const cases = [
      { type: "Instruction", schema: instructionSchema, field: "datasetVersion", value: null },
      { type: "Instruction", schema: instructionSchema, field: "since", value: null },
      { type: "DatasetVersion", schema: datasetVersionSchema, field: "scheduled", value: false },
    ] as const;
    for (const { type, schema, field, value } of cases) {
      const parsed = JSON.parse(schema);
      const before = avro.Type.forSchema({
        ...parsed,
        fields: parsed.fields.filter((f: { name: string }) => f.name !== field),
      }, { registry: sharedTypes() });
      const { [field]: _, ...old } = samples[type][0] as unknown as Record<string, unknown>;
      const now = payloadAvroTypes[type];
      const read = now.fromBuffer(before.toBuffer(old), now.createResolver(before));
      assert.deepEqual({ ...read }, { ...old, [field]: value }, type);
    }
    const [train] = samples.FactoryCommand;
    assert.equal(train.kind, "train");
    const { datasetVersion: _, ...oldTrain } = train as Extract<typeof train, { kind: "train" }>;
    assert.deepEqual(decodePayload("FactoryCommand", encodePayload("FactoryCommand", oldTrain)), {
      ...oldTrain,
      datasetVersion: null,
    });
    const init = samples.FactoryCommand.find((c) => c.kind === "opt_init")!;
    const { since: __, ...oldInit } = init as Extract<typeof init, { kind: "opt_init" }>;
    assert.deepEqual(decodePayload("FactoryCommand", encodePayload("FactoryCommand", oldInit)), {
      ...oldInit,
      since: null,
    });
  },
);
Deno.test('an envelope written before fleets reads with model ""; a new one keeps its model', {
  permissions: "none",
}, () => {
  const envelope = newEnvelope("Instruction", "observer", samples.Instruction[0], null, "north");
  assert.equal(decodeEnvelope(encodeEnvelope(envelope)).model, "north");
  const { model: _, ...prior } = envelope;
  const written = priorEnvelopeAvroType.toBuffer({
    ...prior,
    payload: Buffer.from(encodePayload("Instruction", samples.Instruction[0])),
  });
  assert.deepEqual(decodeEnvelope(written), { ...envelope, model: "" });
});

Deno.test('a forecast batch written before fleets reads with model ""; a new one keeps its model', {
  permissions: "none",
}, () => {
  const batch = { forecasts: samples.Forecast, model: "north" };
  assert.deepEqual(decodePayload("ForecastBatch", encodePayload("ForecastBatch", batch)), batch);
  const written = priorForecastBatchAvroType.toBuffer({ forecasts: samples.Forecast });
  assert.deepEqual(decodePayload("ForecastBatch", written), { ...batch, model: "" });
  assert.throws(() => decodePayload("ForecastBatch", written.subarray(0, 5)), /ForecastBatch/);
});

Deno.test('a checkpoint written before per-partition windows reads with window ""', {
  permissions: "none",
}, () => {
  const checkpoint = { ...samples.EngineCheckpoint[0], window: '{"start":0}' };
  assert.deepEqual(
    decodePayload("EngineCheckpoint", encodePayload("EngineCheckpoint", checkpoint)),
    checkpoint,
  );
  const { window: _, ...prior } = checkpoint;
  const written = priorEngineCheckpointAvroType.toBuffer(prior);
  assert.deepEqual(decodePayload("EngineCheckpoint", written), { ...checkpoint, window: "" });
});
