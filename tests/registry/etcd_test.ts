import assert from "node:assert/strict";
import { Etcd3 } from "etcd3";
import { EtcdRegistry } from "../../registry/etcd.ts";
import { etcdEndpoints, uniqueName } from "../fixtures/services.ts";
import { registryContract } from "./registry_contract.ts";

const endpoints = await etcdEndpoints();

/** A short lease, so a revoked one is noticed within a second. */
const leaseTtlSeconds = 3;

// gRPC reads its proxy and tracing settings from the environment.
const permissions: Deno.PermissionOptions = { net: ["127.0.0.1"], env: true };

registryContract({
  name: "EtcdRegistry",
  store: () => () => new EtcdRegistry({ endpoints, leaseTtlSeconds }),
  permissions,
});

Deno.test(
  "EtcdRegistry: a leader whose lease is revoked loses and the next leads",
  { permissions },
  async () => {
    const election = uniqueName("election");
    const [first, second] = [1, 2].map(() => new EtcdRegistry({ endpoints, leaseTtlSeconds }));
    const admin = new Etcd3({ hosts: endpoints });
    try {
      const leadership = await first.campaign(election, "first");
      const waiting = second.campaign(election, "second");
      const lost = new Promise((resolve) => leadership.lost.addEventListener("abort", resolve));
      // What an expired session looks like: the leader's lease disappears from etcd.
      const keys = await admin.getAll().prefix(`election/${election}/`).sort("Create", "Ascend")
        .exec();
      await admin.leaseClient.leaseRevoke({ ID: keys.kvs[0].lease });
      await lost;
      assert.match(String(leadership.lost.reason), /first lost the lead of/);
      const next = await waiting;
      assert.equal(next.lost.aborted, false);
    } finally {
      admin.close();
      await first.close();
      await second.close();
    }
  },
);

Deno.test("EtcdRegistry rejects bad options by name", { permissions: "none" }, () => {
  assert.throws(() => new EtcdRegistry({ endpoints: [] }), /endpoints must name at least one/);
  assert.throws(() => new EtcdRegistry({ endpoints, leaseTtlSeconds: 0.5 }), {
    message: "leaseTtlSeconds must be an integer >= 1: current value is 0.5",
  });
});
