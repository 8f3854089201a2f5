/**
 * Schemas in a real schema registry (an Apicurio Registry the fixtures start, once for this
 * file): each topic's schema under `<topic>-value`, registered again without change, the
 * compatibility level set and enforced, and an incompatible change refused naming the schema, the
 * subject and the registry's words.
 *
 * @module
 */

import assert from "node:assert/strict";
import { writerSchema } from "../../protocol/codec.ts";
import {
  registerTopicSchemas,
  SchemaRefusedError,
  subjectOf,
} from "../../protocol/schema_registration.ts";
import {
  SchemaRegistryClient,
  SchemaRegistryUnavailableError,
} from "../../protocol/schema_registry_client.ts";
import { payloadAvroTypes, priorForecastBatchAvroType } from "../../protocol/schemas.ts";
import { schemaRegistryUrl, uniqueName } from "../fixtures/services.ts";

/** The output topic's schema before fleets: no `model` field (v1). */
const forecastBatchV1 = JSON.stringify(priorForecastBatchAvroType.schema({ exportAttrs: true }));

/** Today's schema with `model` an int instead of a string: no reader of v2 data (v3). */
function forecastBatchV3(): string {
  const schema = payloadAvroTypes.ForecastBatch.schema({ exportAttrs: true }) as {
    fields: { name: string; type: unknown; default?: unknown }[];
  };
  return JSON.stringify({
    ...schema,
    fields: schema.fields.map((field) =>
      field.name === "model" ? { name: "model", type: "int", default: 0 } : field
    ),
  });
}

async function client(): Promise<SchemaRegistryClient> {
  return new SchemaRegistryClient({ url: await schemaRegistryUrl(), callTimeoutMs: 30_000 });
}

async function compatibilityOf(url: string, subject: string): Promise<unknown> {
  const response = await fetch(`${url}/config/${subject}`);
  return ((await response.json()) as { compatibilityLevel?: unknown }).compatibilityLevel;
}

Deno.test("each topic's schema is registered under <topic>-value, again without change", async () => {
  const registry = await client();
  const topics = [
    { topic: uniqueName("reg.output"), type: "ForecastBatch" as const },
    { topic: uniqueName("reg.metrics"), type: "Envelope" as const },
  ];
  const ids = await registerTopicSchemas(registry, topics, "BACKWARD");
  assert.deepEqual(await registerTopicSchemas(registry, topics, "BACKWARD"), ids);
  for (const { topic, type } of topics) {
    const id = ids.get(topic)!;
    assert.deepEqual(JSON.parse((await registry.schema(id))!), JSON.parse(writerSchema(type)));
    assert.equal(await compatibilityOf(registry.url, subjectOf(topic)), "BACKWARD");
  }
});

Deno.test("a reader's v2 with a defaulted field is accepted over v1; an incompatible v3 is refused", async () => {
  const registry = await client();
  const topic = uniqueName("reg.evolve");
  const topics = [{ topic, type: "ForecastBatch" as const }];
  const v1 = await registerTopicSchemas(registry, topics, "BACKWARD", () => forecastBatchV1);
  const v2 = await registerTopicSchemas(registry, topics, "BACKWARD");
  assert.notEqual(v2.get(topic), v1.get(topic), "a new version, a new id");
  await assert.rejects(
    registerTopicSchemas(registry, topics, "BACKWARD", forecastBatchV3),
    (error: Error) => {
      assert.ok(error instanceof SchemaRefusedError);
      assert.match(
        error.message,
        new RegExp(
          `^the schema registry at ${registry.url} refused schemas/ForecastBatch\\.avsc as ` +
            `subject '${topic}-value' \\(compatibility BACKWARD\\): Incompatible artifact`,
        ),
      );
      assert.ok(!error.message.includes("\n"), "one line");
      return true;
    },
  );
  // The refused version was not added: today's is still the newest.
  assert.deepEqual(await registerTopicSchemas(registry, topics, "BACKWARD"), v2);
});

Deno.test("an unknown id has no schema; an unreachable registry is unavailable, naming its URL", async () => {
  const registry = await client();
  assert.equal(await registry.schema(2_000_000_000), undefined);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const gone = new SchemaRegistryClient({ url: `http://127.0.0.1:${port}`, callTimeoutMs: 2_000 });
  await assert.rejects(gone.schema(1), (error: Error) => {
    assert.ok(error instanceof SchemaRegistryUnavailableError);
    assert.match(error.message, new RegExp(`GET http://127\\.0\\.0\\.1:${port}/schemas/ids/1`));
    return true;
  });
});

Deno.test("a client refuses a URL that is not http(s), naming it", () => {
  assert.throws(
    () => new SchemaRegistryClient({ url: "localhost:8081", callTimeoutMs: 1_000 }),
    /url must be an http\(s\) URL: current value is 'localhost:8081'/,
  );
});
