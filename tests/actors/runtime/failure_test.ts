import assert from "node:assert/strict";
import {
  ObjectStoreRefusedError,
  ObjectStoreUnavailableError,
} from "../../../storage/s3_objects.ts";
import kafkajs from "kafkajs";
import { GRPCUnauthenticatedError, GRPCUnavailableError } from "etcd3";
import { AuthenticationError, MultipleErrors, NetworkError } from "@platformatic/kafka";
import {
  classify,
  describeFailure,
  FatalError,
  LeadershipLostError,
  RetriableError,
} from "../../../actors/runtime/failure.ts";
import { ConfigError } from "../../../config/config_error.ts";
import { SchemaRefusedError } from "../../../protocol/schema_registration.ts";
import { SchemaRegistryUnavailableError } from "../../../protocol/schema_registry_client.ts";
import { KafkaCallStalledError } from "../../../transport/platformatic_kafka.ts";

const {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSNonRetriableError,
} = kafkajs;

Deno.test("broker and etcd outages and lost leadership are retriable, naming the service", () => {
  const refused = new KafkaJSConnectionError("Connection error: connect ECONNREFUSED", {
    broker: "localhost:1",
  });
  assert.deepEqual(classify(refused), { kind: "retriable", service: "kafka" });
  assert.deepEqual(
    classify(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 100 })),
    { kind: "retriable", service: "kafka" },
  );
  assert.deepEqual(classify(new GRPCUnavailableError("No connection established")), {
    kind: "retriable",
    service: "etcd",
  });
  // etcd3's circuit breaker (cockatiel) refuses calls while the hosts are down.
  const broken = Object.assign(
    new Error("Execution prevented because the circuit breaker is open"),
    {
      isBrokenCircuitError: true,
    },
  );
  assert.deepEqual(classify(broken), { kind: "retriable", service: "etcd" });
  assert.deepEqual(classify(new LeadershipLostError("collector")), {
    kind: "retriable",
    service: "etcd",
  });
});

Deno.test("bad configuration and refused credentials are fatal", () => {
  assert.deepEqual(classify(new ConfigError("retune.yaml", ["kafka.brokers: expected a list"])), {
    kind: "fatal",
    service: undefined,
  });
  assert.deepEqual(classify(new KafkaJSNonRetriableError("SASL authentication failed")), {
    kind: "fatal",
    service: "kafka",
  });
  assert.deepEqual(classify(new GRPCUnauthenticatedError("no")), {
    kind: "fatal",
    service: "etcd",
  });
});

Deno.test("a failure is classified by the first cause that is known; others are crashes", () => {
  const wrapped = new Error("supervisor gave up", {
    cause: new Error("start failed", { cause: new RetriableError("down", { service: "etcd" }) }),
  });
  assert.deepEqual(classify(wrapped), { kind: "retriable", service: "etcd" });
  assert.deepEqual(classify(new FatalError("x")), { kind: "fatal", service: undefined });
  assert.deepEqual(classify(new TypeError("bug")), { kind: "crash", service: undefined });
  assert.deepEqual(classify("a string"), { kind: "crash", service: undefined });
});

Deno.test("describeFailure joins the messages of an error and its causes once each", () => {
  const error = new Error("actor failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") });
  assert.equal(describeFailure(error), "actor failed: connect ECONNREFUSED 127.0.0.1:1");
  assert.equal(describeFailure("plain"), "plain");
});

Deno.test("an unreachable schema registry is retriable; a refused schema is fatal", () => {
  assert.deepEqual(classify(new SchemaRegistryUnavailableError("GET http://r/x: refused")), {
    kind: "retriable",
    service: "schema-registry",
  });
  assert.deepEqual(classify(new SchemaRefusedError("incompatible")), {
    kind: "fatal",
    service: "schema-registry",
  });
});

Deno.test("an object store down is retriable, one refusing the credentials fatal, both storage", () => {
  const down = new ObjectStoreUnavailableError("S3 put of 'b/1' failed: ECONNREFUSED");
  assert.deepEqual(classify(down), { kind: "retriable", service: "storage" });
  // As a store's caller sees it: wrapped in its own context.
  assert.deepEqual(classify(new Error("appending bucket 3", { cause: down })), {
    kind: "retriable",
    service: "storage",
  });
  assert.deepEqual(classify(new ObjectStoreRefusedError("S3 get failed: AccessDenied")), {
    kind: "fatal",
    service: "storage",
  });
});

Deno.test("@platformatic/kafka: a call the client never answered is retriable, a Kafka failure", () => {
  const stalled = new KafkaCallStalledError(
    "group g: adding t/0's offset did not end within 30000 ms",
  );
  assert.deepEqual(classify(stalled), { kind: "retriable", service: "kafka" });
  // As a handler's caller sees it: the engine's batch failed because its commit did.
  assert.deepEqual(classify(new Error("batch of t/0 failed", { cause: stalled })), {
    kind: "retriable",
    service: "kafka",
  });
});

Deno.test("@platformatic/kafka: a refused login inside 'cannot connect' is fatal, an outage retriable", () => {
  const refused = new Error("connect ECONNREFUSED 127.0.0.1:1");
  const unreachable = new MultipleErrors("metadata failed 3 times.", [
    new MultipleErrors("Cannot connect to any broker.", [
      new NetworkError("Connection to 127.0.0.1:1 failed.", { cause: refused }),
    ]),
  ]);
  assert.deepEqual(classify(unreachable), { kind: "retriable", service: "kafka" });
  assert.match(describeFailure(unreachable), /ECONNREFUSED/);
  const login = new MultipleErrors("metadata failed 3 times.", [
    new MultipleErrors("Cannot connect to any broker.", [
      new AuthenticationError("SASL authentication failed."),
    ]),
  ]);
  assert.deepEqual(classify(login), { kind: "fatal", service: "kafka" });
  assert.match(describeFailure(login), /SASL authentication failed/);
});
