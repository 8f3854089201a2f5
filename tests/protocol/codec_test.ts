import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import {
  decodeData,
  decodeEnvelope,
  DecodeError,
  decodePayload,
  decodeSharedEnvelope,
  encodeData,
  encodeEnvelope,
  encodePayload,
  isMessageType,
  newEnvelope,
  refuseBytes,
  resolvingReader,
  writerSchema,
} from "../../protocol/codec.ts";
import type { FactoryCommand, MessageType } from "../../protocol/messages.ts";
import type { Forecast, StreamEvent } from "../../core/events.ts";
import { envelopeAvroType, priorForecastBatchAvroType } from "../../protocol/schemas.ts";
import { commandsByKind, samples } from "./message_samples.ts";

const [forecast] = samples.Forecast;

function decodeFailure(decode: () => unknown): DecodeError {
  try {
    decode();
  } catch (error) {
    assert.ok(error instanceof DecodeError, `expected a DecodeError, got ${error}`);
    return error;
  }
  assert.fail("decoding succeeded");
}

Deno.test("newEnvelope stamps a fresh id and the current time", { permissions: "none" }, () => {
  const clock = FakeTimers.install({ now: 1_700_000_000_123, toFake: ["Date"] });
  try {
    const first = newEnvelope("Forecast", "engine-0", forecast);
    const second = newEnvelope("Forecast", "engine-0", forecast, "req-1");
    assert.equal(first.sentAt, 1_700_000_000_123);
    assert.equal(first.correlationId, null);
    assert.equal(second.correlationId, "req-1");
    assert.match(first.id, /^[\w-]{21}$/);
    assert.notEqual(first.id, second.id);
  } finally {
    clock.uninstall();
  }
});

Deno.test("every sample round-trips inside an envelope", { permissions: "none" }, () => {
  for (const type of Object.keys(samples) as MessageType[]) {
    for (const payload of samples[type]) {
      const envelope = newEnvelope(type, "tester", payload, "corr");
      assert.deepStrictEqual(decodeEnvelope(encodeEnvelope(envelope)), envelope);
    }
  }
});

Deno.test("a decoded envelope narrows its payload by type", { permissions: "none" }, () => {
  const decoded = decodeEnvelope(
    encodeEnvelope(newEnvelope("FactoryCommand", "optimiser", commandsByKind.opt_step)),
  );
  assert.equal(decoded.type, "FactoryCommand");
  if (decoded.type === "FactoryCommand" && decoded.payload.kind === "opt_step") {
    assert.equal(decoded.payload.stepId, 7);
  } else {
    assert.fail(`unexpected payload ${decoded.type}`);
  }
});

Deno.test("an envelope's bytes decode once into a frozen value its readers share", {
  permissions: "none",
}, () => {
  const envelope = newEnvelope("EnginePosition", "engine", samples.EnginePosition[0]);
  const bytes = encodeEnvelope(envelope);
  const first = decodeSharedEnvelope(bytes);
  assert.deepStrictEqual(first, envelope);
  assert.equal(decodeSharedEnvelope(bytes), first, "the same value for the same bytes");
  assert.notEqual(decodeSharedEnvelope(bytes.slice()), first, "other bytes decode anew");
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.payload));
  assert.throws(() => decodeSharedEnvelope(new Uint8Array([1, 2, 3])), DecodeError);
});

Deno.test("decoding reads a view at any offset of a larger buffer", { permissions: "none" }, () => {
  const bytes = encodePayload("Forecast", forecast);
  const larger = new Uint8Array(bytes.length + 10);
  larger.set(bytes, 7);
  assert.deepStrictEqual(decodePayload("Forecast", larger.subarray(7, 7 + bytes.length)), forecast);
});

Deno.test(
  "invalid values are rejected naming the field path and value",
  { permissions: "none" },
  () => {
    const cases: [MessageType, unknown, RegExp][] = [
      [
        "Forecast",
        { ...forecast, counter: 1.5 },
        /^Forecast\.counter must be long: current value is 1\.5$/,
      ],
      [
        "Forecast",
        { ...forecast, key: undefined },
        /^Forecast\.key must be string: current value is undefined$/,
      ],
      ["Forecast", null, /^Forecast must be retune\.Forecast: current value is null$/],
      [
        "FactoryCommand",
        { ...commandsByKind.train, params: { ...commandsByKind.train.params, order: "3" } },
        /^FactoryCommand\.params\.order must be int: current value is "3"$/,
      ],
      [
        "FactoryCommand",
        { ...commandsByKind.train, kind: "retrain" },
        /^FactoryCommand\.kind must be one of train, opt_init, .*: current value is "retrain"$/,
      ],
      [
        "MetricsReport",
        { ...samples.MetricsReport[0], creationMethod: "manual" },
        /^MetricsReport\.creationMethod must be one of initial, retrain, optimise: current value is "manual"$/,
      ],
      [
        "StreamEvent",
        { ...samples.StreamEvent[0], attributes: { speed: true } },
        /^StreamEvent\.attributes\.speed must be \["double","string"\]: current value is true$/,
      ],
      [
        "StreamEventBatch",
        {
          events: [samples.StreamEvent[1], { ...samples.StreamEvent[0], attributes: { on: true } }],
        },
        /^StreamEventBatch\.events\.1\.attributes\.on must be a number or a string: current value is true$/,
      ],
      [
        "StreamEventBatch",
        { events: [{ ...samples.StreamEvent[0], timestamp: "soon" }] },
        /^StreamEventBatch\.events\.0\.timestamp must be long: current value is "soon"$/,
      ],
      [
        "StreamEventBatch",
        { events: null },
        /^StreamEventBatch\.events must be \{"type":"array",.*\}: current value is null$/,
      ],
      [
        "DeadLetter",
        { ...samples.DeadLetter[0], original: [1, 2] },
        /^DeadLetter\.original must be bytes: current value is \[ 1, 2 \]$/,
      ],
    ];
    for (const [type, value, message] of cases) {
      assert.throws(() => encodePayload(type, value as never), { name: "TypeError", message });
    }
  },
);

Deno.test("an invalid envelope field is rejected by name", { permissions: "none" }, () => {
  const envelope = { ...newEnvelope("Forecast", "engine", forecast), sentAt: "now" };
  assert.throws(() => encodeEnvelope(envelope as never), {
    name: "TypeError",
    message: 'Envelope.sentAt must be long: current value is "now"',
  });
});

Deno.test("unknown message types are rejected", { permissions: "none" }, () => {
  assert.equal(isMessageType("Forecast"), true);
  assert.equal(isMessageType("toString"), false);
  assert.throws(() => encodePayload("Nope" as MessageType, forecast as never), {
    name: "TypeError",
    message: 'type must be a message type: current value is "Nope"',
  });
});

Deno.test("truncated bytes throw a DecodeError", { permissions: "none" }, () => {
  const bytes = encodePayload("Forecast", forecast);
  const error = decodeFailure(() => decodePayload("Forecast", bytes.subarray(0, bytes.length - 3)));
  assert.equal(error.messageType, "Forecast");
  assert.match(error.reason, /^truncated/);
  assert.match(
    decodeFailure(() => decodePayload("Forecast", new Uint8Array())).reason,
    /^truncated/,
  );
});

Deno.test("trailing bytes throw a DecodeError", { permissions: "none" }, () => {
  const bytes = encodePayload("Forecast", forecast);
  const error = decodeFailure(() => decodePayload("Forecast", new Uint8Array([...bytes, 0, 0])));
  assert.equal(error.reason, "2 trailing bytes after the value");
  assert.equal(error.message, "cannot decode Forecast: 2 trailing bytes after the value");
});

Deno.test(
  "an envelope with an unknown type name throws a DecodeError",
  { permissions: "none" },
  () => {
    const envelope = newEnvelope("Forecast", "engine", forecast);
    const payload = encodePayload("Forecast", forecast);
    const bytes = envelopeAvroType.toBuffer({ ...envelope, type: "Foreca5t", payload });
    const error = decodeFailure(() => decodeEnvelope(bytes));
    assert.equal(error.messageType, "Envelope");
    assert.equal(error.reason, 'unknown payload type "Foreca5t"');
  },
);

Deno.test(
  "a payload that does not decode as its envelope type throws",
  { permissions: "none" },
  () => {
    const bytes = encodeEnvelope(newEnvelope("Instruction", "observer", samples.Instruction[0]));
    const instruction = encodePayload("Instruction", samples.Instruction[0]);
    // Enum index 9 (zig-zag 18) instead of "optimise"; the payload precedes the model name
    // ("": one byte).
    const patched = new Uint8Array(bytes);
    patched[bytes.length - 1 - instruction.length] = 18;
    const error = decodeFailure(() => decodeEnvelope(patched));
    assert.equal(error.messageType, "Instruction");
    assert.match(error.reason, /^malformed \(invalid retune\.InstructionAction enum index: 9\)$/);
  },
);

Deno.test(
  "a block claiming more items than bytes left throws at once",
  { permissions: "none" },
  () => {
    // offsets: a block of 2^47 items (a zig-zag varint), then nothing.
    const garbage = new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
    const error = decodeFailure(() => decodePayload("EnginePosition", garbage));
    assert.equal(
      error.reason,
      `malformed (a block of ${2 ** 47} items cannot fit in the 0 bytes left)`,
    );
  },
);

Deno.test(
  "decoded kind unions come back as the TypeScript objects",
  { permissions: "none" },
  () => {
    const decoded: FactoryCommand = decodePayload(
      "FactoryCommand",
      encodePayload("FactoryCommand", commandsByKind.opt_abort),
    );
    assert.deepStrictEqual(decoded, {
      kind: "opt_abort",
      requestId: "req-5",
      runId: "run-1",
      reason: "superseded",
    });
  },
);

Deno.test("encoding does not change the value", { permissions: "none" }, () => {
  const letter = { ...samples.DeadLetter[0] };
  const copy: Forecast = structuredClone(forecast);
  encodePayload("DeadLetter", letter);
  encodePayload("Forecast", copy);
  assert.deepStrictEqual(letter, samples.DeadLetter[0]);
  assert.deepStrictEqual(copy, forecast);
});

Deno.test(
  "an encoding keeps its bytes when more values are encoded",
  { permissions: "none" },
  () => {
    const first = encodePayload("Forecast", forecast);
    const before = new Uint8Array(first);
    encodePayload("Forecast", {
      ...forecast,
      key: "another-vessel",
      counter: 99,
      probability: 0.1,
    });
    assert.deepStrictEqual(new Uint8Array(first), before);
    assert.deepStrictEqual(decodePayload("Forecast", first), forecast);
  },
);

Deno.test("values larger than 64 KiB round-trip", { permissions: "none" }, () => {
  const original = Uint8Array.from({ length: 200_000 }, (_, i) => i % 251);
  const letter = { ...samples.DeadLetter[0], original };
  assert.deepStrictEqual(decodePayload("DeadLetter", encodePayload("DeadLetter", letter)), letter);
  // Small values still encode exactly after the large one.
  assert.deepStrictEqual(decodePayload("Forecast", encodePayload("Forecast", forecast)), forecast);
});

Deno.test(
  "a batch keeps each event's own attributes when the events differ in theirs",
  { permissions: "none" },
  () => {
    const events: StreamEvent[] = [
      { key: "a", timestamp: 1, type: "", attributes: { speed: 3, flag: "x" } },
      { key: "b", timestamp: 2, type: "T", attributes: {} },
      { key: "a", timestamp: 3, type: "", attributes: { heading: 90, speed: 0 } },
    ];
    assert.deepStrictEqual(
      decodePayload("StreamEventBatch", encodePayload("StreamEventBatch", { events })),
      { events },
    );
  },
);

Deno.test(
  "data payloads are decoded once per process: the same bytes give the same value",
  { permissions: "none" },
  () => {
    const batch = { forecasts: samples.Forecast, model: "" };
    const encoded = encodeData("ForecastBatch", batch);
    assert.equal(decodeData("ForecastBatch", encoded), batch, "what this process encoded");
    const copy = new Uint8Array(encoded);
    const decoded = decodeData("ForecastBatch", copy);
    assert.notEqual(decoded, batch, "other bytes are decoded");
    assert.deepStrictEqual(decoded, batch);
    assert.equal(decodeData("ForecastBatch", copy), decoded, "and decoded once");
    assert.throws(() => decodeData("StreamEventBatch", encoded), DecodeError);
  },
);

Deno.test("a body written with an older schema is resolved to today's encoding, defaults filled", () => {
  const [batch] = samples.ForecastBatch;
  const v1 = JSON.stringify(priorForecastBatchAvroType.schema({ exportAttrs: true }));
  const read = resolvingReader("ForecastBatch", v1);
  const old = priorForecastBatchAvroType.toBuffer({ forecasts: batch.forecasts });
  assert.deepEqual(decodePayload("ForecastBatch", read(old)), {
    forecasts: batch.forecasts,
    model: "",
  });
  // Today's own schema reads today's bytes unchanged.
  const today = encodePayload("ForecastBatch", batch);
  assert.deepEqual(resolvingReader("ForecastBatch", writerSchema("ForecastBatch"))(today), today);
  assert.throws(() => read(old.subarray(0, old.length - 1)), DecodeError);
});

Deno.test("a writer's schema that does not resolve to today's is a DecodeError saying so", () => {
  assert.throws(
    () => resolvingReader("ForecastBatch", writerSchema("Envelope")),
    (error: Error) =>
      error instanceof DecodeError &&
      /^cannot decode ForecastBatch: the writer's schema does not resolve to today's: /.test(
        error.message,
      ),
  );
});

Deno.test("refused bytes are undecodable with their reason, whatever they hold", () => {
  const bytes = encodeData("ForecastBatch", samples.ForecastBatch[0]);
  const copy = bytes.slice();
  refuseBytes(bytes, "magic byte 0x7b, expected 0x00");
  assert.throws(
    () => decodeData("ForecastBatch", bytes),
    /cannot decode ForecastBatch: magic byte 0x7b, expected 0x00/,
  );
  assert.deepEqual(decodePayload("ForecastBatch", copy), samples.ForecastBatch[0]);
});
