import assert from "node:assert/strict";
import { RetuneSystem, ROLES } from "../../actors/system.ts";
import { readEvents } from "../../models/sources/read.ts";
import { MARITIME_SOURCE } from "../../models/sources/builtin.ts";
import { decodePayload, encodePayload } from "../../protocol/codec.ts";
import { eventBatchRecord } from "../../protocol/event_batch_record.ts";
import type { DeadLetter, Forecast, StreamEvent } from "../../protocol/messages.ts";
import { setupLogging } from "../../protocol/logging.ts";
import { testPipeline } from "./fixtures/test_pipeline.ts";
import { eventually } from "../fixtures/eventually.ts";

setupLogging({ level: "warning", format: "text" });

Deno.test({
  name: "the engine dead-letters a record it cannot decode, with the reason, and goes on",
  permissions: { read: true, write: true, env: true },
}, async () => {
  const pipeline = await testPipeline();
  // No replayer: the test writes the input itself, as a foreign producer would.
  const system = await RetuneSystem.build({
    config: pipeline.config,
    roles: ROLES,
    input: pipeline.stream,
    without: ["replayer", "observer"],
  });
  try {
    const { topics } = system.env;
    const forecasts: Forecast[] = [];
    const letters: DeadLetter[] = [];
    await system.transport.subscribe({
      group: "test.output",
      topics: [topics.output],
      handler: (records) => {
        for (const r of records) {
          forecasts.push(...decodePayload("ForecastBatch", r.value).forecasts);
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
    await system.start();
    const events = (await readEvents(pipeline.stream, MARITIME_SOURCE)).events.slice(0, 40);
    const garbage = new Uint8Array([2, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    const noHeaders = encodePayload("StreamEventBatch", { events: events.slice(20) });
    // One vessel: every record lands on the same partition, in this order.
    await system.transport.publish(topics.input, [
      eventBatchRecord(events.slice(0, 20)),
      { key: events[0].key, value: garbage },
      { key: events[0].key, value: noHeaders },
    ]);
    const { engine } = system.stats;
    await eventually(
      () => engine.eventsProcessed + engine.deadLetters === 41 && system.stats.deadLetters >= 1,
      "the engine handled all three records",
    );
    assert.equal(engine.eventsProcessed, 40);
    assert.equal(engine.deadLetters, 1);
    // The engine owns the input's dead letters: the collector, reading the same record, adds none.
    await eventually(
      () => system.stats.collector.eventsCollected === 40,
      "the collector caught up",
    );
    assert.equal(letters.length, 1);
    const [letter] = letters;
    assert.equal(letter.sourceTopic, topics.input);
    assert.equal(letter.offset, 1);
    assert.match(letter.reason, /^cannot decode StreamEventBatch: /);
    assert.deepEqual(letter.original, garbage);
    await eventually(() => forecasts.length === 40, "every event's forecast is out");
    assert.deepEqual(
      forecasts.map((f) => f.counter),
      events.map((_: StreamEvent, i) => i + 1),
      "the record after the bad one is forecast as if nothing came between",
    );
  } finally {
    await system.stop();
    await pipeline.dispose();
  }
});
