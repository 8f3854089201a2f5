import assert from "node:assert/strict";
import avro from "avsc";
import { Buffer } from "node:buffer";
import { encodePayload } from "../../protocol/codec.ts";
import { payloadAvroTypes } from "../../protocol/schemas.ts";
import forecastSchema from "../../schemas/Forecast.avsc" with { type: "text" };
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
