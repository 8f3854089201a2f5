import assert from "node:assert/strict";
import { Etcd3 } from "etcd3";
import { Kafka, logLevel } from "kafkajs";
import { etcdEndpoints, kafkaBrokers, uniqueName } from "../../fixtures/services.ts";

// Without KAFKA_BROKERS / ETCD_ENDPOINTS the fixture starts the services itself.
const permissions: Deno.PermissionOptions = {
  run: ["java", "mvn", "etcd"],
  read: true,
  write: true,
  net: ["127.0.0.1"],
  env: true,
};

Deno.test("kafkaBrokers names brokers that answer", { permissions }, async () => {
  const brokers = await kafkaBrokers();
  assert.ok(brokers.length > 0);
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topic = uniqueName("fixture-test");
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    assert.ok((await admin.listTopics()).includes(topic));
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
});

Deno.test("etcdEndpoints names an etcd that answers", { permissions }, async () => {
  const client = new Etcd3({ hosts: await etcdEndpoints() });
  const key = uniqueName("fixture-test");
  try {
    await client.put(key).value("v");
    assert.equal(await client.get(key).string(), "v");
    await client.delete().key(key);
  } finally {
    client.close();
  }
});

Deno.test("the fixture takes configured services from the environment, comma separated", {
  permissions: { env: ["KAFKA_BROKERS", "ETCD_ENDPOINTS"] },
}, async () => {
  const saved = [Deno.env.get("KAFKA_BROKERS"), Deno.env.get("ETCD_ENDPOINTS")] as const;
  try {
    Deno.env.set("KAFKA_BROKERS", "10.0.0.1:9092, 10.0.0.2:9092");
    Deno.env.set("ETCD_ENDPOINTS", "http://10.0.0.3:2379,");
    assert.deepEqual(await kafkaBrokers(), ["10.0.0.1:9092", "10.0.0.2:9092"]);
    assert.deepEqual(await etcdEndpoints(), ["http://10.0.0.3:2379"]);
  } finally {
    restore("KAFKA_BROKERS", saved[0]);
    restore("ETCD_ENDPOINTS", saved[1]);
  }
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) Deno.env.delete(name);
  else Deno.env.set(name, value);
}

Deno.test("uniqueName gives distinct names with the prefix, and rejects a bad prefix", {
  permissions: "none",
}, () => {
  const names = new Set(Array.from({ length: 100 }, () => uniqueName("topic.a_b")));
  assert.equal(names.size, 100);
  for (const name of names) assert.match(name, /^topic\.a_b-[A-Za-z0-9_-]{10}$/);
  assert.throws(() => uniqueName("a/b"), {
    name: "RangeError",
    message:
      "prefix must be letters, digits, '.', '_' or '-' (valid in a Kafka topic): current value is 'a/b'",
  });
});
