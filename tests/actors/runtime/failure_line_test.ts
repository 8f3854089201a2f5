import assert from "node:assert/strict";
import {
  ObjectStoreRefusedError,
  ObjectStoreUnavailableError,
} from "../../../storage/s3_objects.ts";
import { GRPCUnavailableError } from "etcd3";
import { failureLine } from "../../../actors/runtime/failure_line.ts";
import { FatalError } from "../../../actors/runtime/failure.ts";
import { EscalationError } from "../../../actors/runtime/supervisor.ts";
import { SchemaRegistryUnavailableError } from "../../../protocol/schema_registry_client.ts";

const where = { kafka: ["k1:9092", "k2:9092"], etcd: ["http://e1:2379"] };

Deno.test("an etcd outage that made the supervisor give up names the role, etcd's endpoints and the fix", () => {
  const outage = new GRPCUnavailableError("14 UNAVAILABLE: No connection established");
  const line = failureLine(
    new EscalationError("retune", "collector", "failed 5 times", outage),
    where,
  );
  assert.equal(
    line,
    "role 'collector' stopped: cannot reach etcd at http://e1:2379 " +
      "(14 UNAVAILABLE: No connection established); start etcd or fix etcd.endpoints " +
      "(or RETUNE_ETCD_ENDPOINTS) (--log-level=debug shows the detail)",
  );
});

Deno.test("a fatal failure says to fix the configuration, on one line", () => {
  const line = failureLine(new FatalError("storage.dir\nis not writable"), where);
  assert.equal(
    line,
    "storage.dir is not writable; fix the configuration (--log-level=debug shows the detail)",
  );
});

Deno.test("any other failure is its message and its causes", () => {
  const error = new Error("the system failed", { cause: new TypeError("x is undefined") });
  assert.equal(
    failureLine(error, { kafka: undefined, etcd: undefined }),
    "the system failed: x is undefined (--log-level=debug shows the detail)",
  );
});

Deno.test("an object store down says to start it; one refusing says to check the credentials", () => {
  const down = new ObjectStoreUnavailableError(
    "S3 put of 'b/1' at http://s3:8333 failed: ECONNREFUSED",
  );
  assert.equal(
    failureLine(new EscalationError("retune", "collector", "failed 5 times", down), where),
    "role 'collector' stopped: S3 put of 'b/1' at http://s3:8333 failed: ECONNREFUSED; start " +
      "the object store or fix storage.s3.endpoint (--log-level=debug shows the detail)",
  );
  assert.match(
    failureLine(new ObjectStoreRefusedError("S3 get failed: AccessDenied"), where),
    /AccessDenied; check storage\.s3's credentials/,
  );
});

Deno.test("an unreachable schema registry says to start it or fix schemaRegistry.url", () => {
  const outage = new SchemaRegistryUnavailableError("GET http://r:8081/schemas/ids/3: refused");
  assert.equal(
    failureLine(new EscalationError("retune", "engine", "failed 5 times", outage), where),
    "role 'engine' stopped: cannot reach the schema registry (GET " +
      "http://r:8081/schemas/ids/3: refused); start it or fix schemaRegistry.url " +
      "(--log-level=debug shows the detail)",
  );
});
