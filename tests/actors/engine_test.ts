import assert from "node:assert/strict";
import { FORECASTS_PER_RECORD } from "../../actors/engine.ts";
import { RetuneSystem } from "../../actors/system.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { readEvents } from "../../models/sources/read.ts";
import { MARITIME_SOURCE } from "../../models/sources/builtin.ts";
import { decodePayload, encodePayload } from "../../protocol/codec.ts";
import { eventBatchRecord } from "../../protocol/event_batch_record.ts";
import type { DeadLetter } from "../../protocol/messages.ts";
import type { Forecast, StreamEvent } from "../../core/events.ts";
import { setupLogging } from "../../logging/setup.ts";
import { testPipeline } from "./fixtures/test_pipeline.ts";
import { eventually } from "../fixtures/eventually.ts";

setupLogging({ level: "warning", format: "text" });

/** What an engine test sees: the running system, the first events of the sample, the outputs. */
interface EngineRun {
  system: RetuneSystem;
  topics: RetuneSystem["env"]["topics"];
  events: StreamEvent[];
  forecasts: Forecast[];
  /** How many forecasts each output record held, in order. */
  perRecord: number[];
  letters: DeadLetter[];
}

/**
 * Runs `body` against a started system without replayer (the test writes the input itself, as a
 * foreign producer would), given the sample's first `count` events; stops it afterwards.
 */
async function withEngine(count: number, body: (run: EngineRun) => Promise<void>): Promise<void> {
  const pipeline = await testPipeline();
  const system = await RetuneSystem.build({
    config: pipeline.config,
    roles: SERVICE_ROLES,
    input: pipeline.stream,
    without: ["replayer", "observer"],
  });
  try {
    const outputs = await watchOutputs(system);
    await system.start();
    const events = (await readEvents(pipeline.stream, MARITIME_SOURCE)).events.slice(0, count);
    await body({ system, topics: system.env.topics, events, ...outputs });
  } finally {
    await system.stop();
    await pipeline.dispose();
  }
}

/** Everything the system writes to its output and dead-letter topics, as it comes. */
async function watchOutputs(
  system: RetuneSystem,
): Promise<{ forecasts: Forecast[]; perRecord: number[]; letters: DeadLetter[] }> {
  const { topics } = system.env;
  const forecasts: Forecast[] = [];
  const perRecord: number[] = [];
  const letters: DeadLetter[] = [];
  await system.transport.subscribe({
    group: "test.output",
    topics: [topics.output],
    handler: (records) => {
      for (const r of records) {
        const batch = decodePayload("ForecastBatch", r.value).forecasts;
        forecasts.push(...batch);
        perRecord.push(batch.length);
      }
      return Promise.resolve();
    },
  });
  await system.transport.subscribe({
    group: "test.dead-letters",
    topics: [topics.deadLetters],
    handler: (records) => {
      for (const r of records) letters.push(decodePayload("DeadLetter", r.value));
      return Promise.resolve();
    },
  });
  return { forecasts, perRecord, letters };
}

Deno.test({
  name: "the engine dead-letters a record it cannot decode, with the reason, and goes on",
  permissions: { read: true, write: true, env: true },
}, async () => {
  await withEngine(40, async ({ system, topics, events, forecasts, letters }) => {
    const garbage = new Uint8Array([2, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    const noHeaders = encodePayload("StreamEventBatch", { events: events.slice(20) });
    // One vessel: every record lands on the same partition, in this order.
    await system.transport.publish(topics.input, [
      eventBatchRecord(events.slice(0, 20)),
      { key: events[0].key, value: garbage },
      { key: events[0].key, value: noHeaders },
    ]);
    const engine = () => system.view("engine");
    await eventually(
      () => engine().eventsProcessed + engine().deadLetters === 41 && system.deadLetters >= 1,
      { what: "the engine handled all three records" },
    );
    assert.equal(engine().eventsProcessed, 40);
    assert.equal(engine().deadLetters, 1);
    // The engine owns the input's dead letters: the collector, reading the same record, adds none.
    await eventually(() => system.view("collector").eventsCollected === 40, {
      what: "the collector caught up",
    });
    assert.equal(letters.length, 1);
    const [letter] = letters;
    assert.equal(letter.sourceTopic, topics.input);
    assert.equal(letter.offset, 1);
    assert.match(letter.reason, /^cannot decode StreamEventBatch: /);
    assert.deepEqual(letter.original, garbage);
    await eventually(() => forecasts.length === 40, { what: "every event's forecast is out" });
    assert.deepEqual(
      forecasts.map((f) => f.counter),
      events.map((_: StreamEvent, i) => i + 1),
      "the record after the bad one is forecast as if nothing came between",
    );
  });
});

Deno.test({
  name:
    "an event lacking an attribute the pattern reads is dead-lettered alone; the rest is forecast",
  permissions: { read: true, write: true, env: true },
}, async () => {
  await withEngine(30, async ({ system, topics, events, forecasts, letters }) => {
    // The port-entering pattern reads lon and lat; event 12 has no position.
    const { lon: _, ...withoutLon } = events[12].attributes;
    const unreadable: StreamEvent = { ...events[12], attributes: withoutLon };
    await system.transport.publish(topics.input, [
      eventBatchRecord([...events.slice(0, 12), unreadable, ...events.slice(13)]),
    ]);
    const engine = () => system.view("engine");
    await eventually(
      () => engine().eventsProcessed + engine().deadLetters === 30 && letters.length === 1,
      { what: "the engine handled the record" },
    );
    assert.equal(engine().eventsProcessed, 29);
    assert.equal(engine().deadLetters, 1);
    const [letter] = letters;
    assert.match(
      letter.reason,
      /^event 12 of the record: event lacks the number attribute 'lon' the pattern reads: current value is undefined \(attributes: lat, speed, heading, cog, mmsi, annotation\)$/,
    );
    assert.equal(letter.offset, 0);
    assert.deepEqual(decodePayload("StreamEvent", letter.original), unreadable);
    await eventually(() => forecasts.length === 29, {
      what: "every readable event's forecast is out",
    });
    assert.deepEqual(
      forecasts.map((f) => f.timestamp),
      events.filter((_, i) => i !== 12).map((e) => e.timestamp),
    );
    assert.deepEqual(
      forecasts.map((f) => f.counter),
      Array.from({ length: 29 }, (_, i) => i + 1),
      "the refused event does not advance its partition's counter",
    );
  });
});

Deno.test({
  name: "a batch's forecasts go out in records of at most FORECASTS_PER_RECORD, in order",
  permissions: { read: true, write: true, env: true },
}, async () => {
  const count = FORECASTS_PER_RECORD + 952;
  await withEngine(count, async ({ system, topics, events, forecasts, perRecord }) => {
    // One vessel, one input record: all its forecasts are one batch's, for one output partition.
    await system.transport.publish(topics.input, [eventBatchRecord(events)]);
    await eventually(() => forecasts.length === count, { what: "every event's forecast is out" });
    assert.deepEqual(perRecord, [FORECASTS_PER_RECORD, 952]);
    assert.deepEqual(
      forecasts.map((f) => f.counter),
      Array.from({ length: count }, (_, i) => i + 1),
    );
  });
});

Deno.test({
  name: "an engine that gets no first model within its deadline fails, saying what it waited for",
  permissions: { read: true, write: true, env: true },
}, async () => {
  const pipeline = await testPipeline();
  const { config } = pipeline;
  const system = await RetuneSystem.build({
    config: {
      ...config,
      engine: { ...config.engine, firstModelDeadlineMs: 50 },
      supervision: { ...config.supervision, maxRestarts: 0 },
    },
    roles: ["engine"],
  });
  try {
    await system.start();
    const error = await system.done.then(() => undefined, (error: Error) => error);
    assert.ok(error !== undefined, "the supervisor gives up on the engine");
    assert.match(
      error.message,
      /child 'engine' failed .*no model version arrived within 50 ms \(engine\.firstModelDeadlineMs\)/,
    );
    assert.equal(system.view("engine").eventsProcessed, 0);
  } finally {
    await system.stop();
    await pipeline.dispose();
  }
});
