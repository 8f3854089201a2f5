import assert from "node:assert/strict";
import { DATA_DIR, ETCD_PORT, KAFKA_PORT, servicesPlan, usage } from "../../scripts/services.ts";

Deno.test("deno task services listens on the fixed ports kafka.yaml names, data in .retune", () => {
  assert.deepEqual(servicesPlan({}), {
    kafkaPort: 9092,
    etcdPort: 2379,
    dataDir: ".retune/services",
  });
  assert.deepEqual([KAFKA_PORT, ETCD_PORT, DATA_DIR], [9092, 2379, ".retune/services"]);
  assert.match(usage(), /127\.0\.0\.1:9092/);
  assert.match(usage(), /http:\/\/127\.0\.0\.1:2379/);
});

Deno.test("the variables the roles read move the services too", () => {
  assert.deepEqual(
    servicesPlan({
      RETUNE_KAFKA_BROKERS: "127.0.0.1:19092",
      RETUNE_ETCD_ENDPOINTS: "http://127.0.0.1:12379",
      RETUNE_SERVICES_DIR: "/tmp/s",
    }),
    { kafkaPort: 19092, etcdPort: 12379, dataDir: "/tmp/s" },
  );
});

Deno.test("an address the services cannot listen on is refused naming the variable", () => {
  assert.throws(
    () => servicesPlan({ RETUNE_KAFKA_BROKERS: "kafka:9092" }),
    /RETUNE_KAFKA_BROKERS must name one loopback address .*current value is 'kafka:9092'/,
  );
  assert.throws(
    () => servicesPlan({ RETUNE_KAFKA_BROKERS: "127.0.0.1:1,127.0.0.1:2" }),
    /RETUNE_KAFKA_BROKERS/,
  );
  assert.throws(
    () => servicesPlan({ RETUNE_ETCD_ENDPOINTS: "https://127.0.0.1:2379" }),
    /RETUNE_ETCD_ENDPOINTS .*'https:\/\/127\.0\.0\.1:2379'/,
  );
  assert.throws(() => servicesPlan({ RETUNE_ETCD_ENDPOINTS: "http://127.0.0.1:65535" }));
});
