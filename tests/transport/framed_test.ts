/**
 * The schema-registry wire format over a real registry (an Apicurio Registry the fixtures start,
 * once for this file): records framed with today's schema id, as a registry-aware tool reads them;
 * a round trip over Kafka; a reader on today's schema reading an older writer's records; bad
 * frames dead-lettered with the reason, as any bad record.
 *
 * @module
 */

import assert from "node:assert/strict";
import avro from "avsc";
import { Buffer } from "node:buffer";
import { getLogger } from "@logtape/logtape";
import { subscribeMailbox } from "../../actors/runtime/mailbox.ts";
import { deadLetterBytes } from "../../actors/messaging.ts";
import { classify } from "../../actors/runtime/failure.ts";
import { decodeData, decodePayload, encodeData } from "../../protocol/codec.ts";
import type { DeadLetter, ForecastBatch } from "../../protocol/messages.ts";
import { registerTopicSchemas } from "../../protocol/schema_registration.ts";
import { SchemaRegistryClient } from "../../protocol/schema_registry_client.ts";
import { priorForecastBatchAvroType } from "../../protocol/schemas.ts";
import { frame, type FramedTopic, FramedTransport } from "../../transport/framed.ts";
import { InProcessTransport } from "../../transport/in_process.ts";
import { KafkaTransport } from "../../transport/kafka.ts";
import type { ConsumedRecord, Transport } from "../../transport/transport.ts";
import { eventually } from "../fixtures/eventually.ts";
import { kafkaBrokers, schemaRegistryUrl, uniqueName } from "../fixtures/services.ts";
import { samples } from "../protocol/message_samples.ts";
import { createTopic } from "./kafka_harness.ts";

const [today] = samples.ForecastBatch;
/** A batch as written before fleets, with the schema of then (v1: no `model`). */
const before = { forecasts: today.forecasts };
const forecastBatchV1 = JSON.stringify(priorForecastBatchAvroType.schema({ exportAttrs: true }));

async function registry(): Promise<SchemaRegistryClient> {
  return new SchemaRegistryClient({ url: await schemaRegistryUrl(), callTimeoutMs: 30_000 });
}

/** `topics` framed over `inner` with today's schemas, registered under their subjects. */
async function framedOver(
  inner: Transport,
  client: SchemaRegistryClient,
  topics: { topic: string; type: FramedTopic["type"] }[],
): Promise<{ framed: FramedTransport; ids: Map<string, number> }> {
  const ids = await registerTopicSchemas(client, topics, "BACKWARD");
  const framing = new Map(topics.map(({ topic, type }) => [topic, { type, id: ids.get(topic)! }]));
  return { framed: new FramedTransport(inner, framing, client), ids };
}

Deno.test("a framed record is magic byte 0, today's schema id and the Avro body a registry-aware tool reads", async () => {
  const client = await registry();
  const topic = uniqueName("framed.output");
  const inner = new InProcessTransport({ partitions: 1 });
  const { framed, ids } = await framedOver(inner, client, [{ topic, type: "ForecastBatch" }]);
  const raw: ConsumedRecord[] = [];
  const subscription = await inner.subscribe({
    group: "raw",
    topics: [topic],
    handler: (records) => {
      raw.push(...records);
      return Promise.resolve();
    },
  });
  try {
    await framed.publish(topic, [{ key: "k", value: encodeData("ForecastBatch", today) }]);
    await eventually(() => raw.length === 1, { what: "the framed record is read raw" });
    const bytes = raw[0].value;
    assert.equal(bytes[0], 0, "magic byte");
    const id = new DataView(bytes.buffer, bytes.byteOffset).getUint32(1);
    assert.equal(id, ids.get(topic));
    // What kcat -s avro or Kafka UI do: fetch the schema by id, decode the rest with it.
    const schema = avro.Type.forSchema(JSON.parse((await client.schema(id))!));
    assert.deepEqual(
      JSON.parse(JSON.stringify(schema.fromBuffer(Buffer.from(bytes.subarray(5))))),
      today,
    );
  } finally {
    await subscription.stop();
    await framed.close();
  }
});

Deno.test({
  name:
    "over Kafka: a round trip, a v1 writer read on v2, and bad frames dead-lettered with the reason",
  permissions: { net: true, env: true, read: true },
  async fn() {
    const client = await registry();
    const brokers = await kafkaBrokers();
    const topic = await createTopic(brokers, 1);
    const deadLetters = await createTopic(brokers, 1);
    // The writer that was there first: v1, as a deployment before fleets would have registered.
    const [v1] = (await registerTopicSchemas(
      client,
      [{ topic, type: "ForecastBatch" }],
      "BACKWARD",
      () => forecastBatchV1,
    )).values();
    const inner = new KafkaTransport({
      brokers,
      clientId: "framed-test",
      logger: { warn() {}, error() {} },
    });
    const { framed } = await framedOver(inner, client, [
      { topic, type: "ForecastBatch" },
      { topic: deadLetters, type: "DeadLetter" },
    ]);
    const read: { key: string | null; batch: ForecastBatch }[] = [];
    const letters: DeadLetter[] = [];
    const actor = {
      subscribe: framed.subscribe.bind(framed),
      publish: framed.publish.bind(framed),
      logger: getLogger(["retune", "test"]),
    };
    const subscriptions = [
      await subscribeMailbox(actor, {
        topic,
        group: uniqueName("readers"),
        deadLetterTopic: deadLetters,
        toDeadLetter: deadLetterBytes,
        decode: (bytes) => decodeData("ForecastBatch", bytes),
        handler: (deliveries) => {
          read.push(...deliveries.map((d) => ({ key: d.record.key, batch: d.message })));
        },
      }),
      await framed.subscribe({
        group: uniqueName("letters"),
        topics: [deadLetters],
        handler: (records) => {
          letters.push(...records.map((r) => decodePayload("DeadLetter", r.value)));
          return Promise.resolve();
        },
      }),
    ];
    try {
      await framed.publish(topic, [{ key: "today", value: encodeData("ForecastBatch", today) }]);
      const json = new TextEncoder().encode(JSON.stringify(today));
      await inner.publish(topic, [
        { key: "v1", value: frame(v1, priorForecastBatchAvroType.toBuffer(before)) },
        { key: "json", value: json },
        { key: "unknown", value: frame(2_000_000_000, encodeData("ForecastBatch", today)) },
      ]);
      await eventually(() => read.length === 2 && letters.length === 2, {
        what: "two batches are read and two records dead-lettered",
        deadlineMs: 60_000,
      });
      assert.deepEqual(read, [
        { key: "today", batch: today },
        // The field v1 lacked takes its default.
        { key: "v1", batch: { ...before, model: "" } },
      ]);
      assert.deepEqual(
        letters.map(({ key, reason, sourceTopic }) => ({ key, reason, sourceTopic })),
        [
          {
            key: "json",
            sourceTopic: topic,
            reason: "cannot decode ForecastBatch: not in the schema-registry wire format: " +
              "magic byte 0x7b, expected 0x00",
          },
          {
            key: "unknown",
            sourceTopic: topic,
            reason: "cannot decode ForecastBatch: unknown schema id 2000000000: the schema " +
              `registry at ${client.url} has none`,
          },
        ],
      );
      assert.deepEqual(letters[0].original, json, "the letter keeps the record as it came");
    } finally {
      for (const subscription of subscriptions) await subscription.stop();
      await framed.close();
    }
  },
});

Deno.test("an unreachable registry fails the batch as a retriable outage, its record read again", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const gone = new SchemaRegistryClient({ url: `http://127.0.0.1:${port}`, callTimeoutMs: 2_000 });
  const topic = uniqueName("framed.outage");
  const inner = new InProcessTransport({ partitions: 1 });
  const framed = new FramedTransport(
    inner,
    new Map([[topic, { type: "ForecastBatch", id: 1 }]]),
    gone,
  );
  // Written with another schema (id 2): reading it needs the registry.
  await inner.publish(topic, [{ key: "k", value: frame(2, encodeData("ForecastBatch", today)) }]);
  let handled = 0;
  const subscription = await framed.subscribe({
    group: "readers",
    topics: [topic],
    handler: () => {
      handled++;
      return Promise.resolve();
    },
  });
  try {
    await assert.rejects(subscription.done, (error: Error) => {
      assert.deepEqual(classify(error), { kind: "retriable", service: "schema-registry" });
      return true;
    });
    assert.equal(handled, 0);
    // The record is still the group's next: it is read again after the restart.
    assert.deepEqual(await inner.committedOffsets("readers", topic), [0]);
  } finally {
    await framed.close();
  }
});
