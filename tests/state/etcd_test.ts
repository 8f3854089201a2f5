import assert from "node:assert/strict";
import { EtcdStateStore } from "../../state/etcd.ts";
import { etcdEndpoints } from "../fixtures/services.ts";
import { stateStoreContract } from "./state_store_contract.ts";

const endpoints = await etcdEndpoints();

// gRPC reads its proxy and tracing settings from the environment.
const permissions: Deno.PermissionOptions = { net: ["127.0.0.1"], env: true };

stateStoreContract({
  name: "EtcdStateStore",
  deployment: (deployment) => () => new EtcdStateStore({ endpoints, deployment }),
  permissions,
});

Deno.test("EtcdStateStore rejects bad options by name", { permissions: "none" }, () => {
  assert.throws(
    () => new EtcdStateStore({ endpoints: [], deployment: "d" }),
    /endpoints must name at least one/,
  );
  assert.throws(
    () => new EtcdStateStore({ endpoints, deployment: "" }),
    /deployment must be letters/,
  );
});
