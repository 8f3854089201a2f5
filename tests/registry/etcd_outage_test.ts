/**
 * An etcd restart is ridden out: calls made while etcd is down fail within their deadline
 * (nothing waits for ever), and once etcd is back on the same port and data the same clients
 * work again on their own (no circuit left open), a standby's election goes on, and no
 * candidate is duplicated.
 */

import assert from "node:assert/strict";
import { Etcd3 } from "etcd3";
import { EtcdRegistry } from "../../registry/etcd.ts";
import { startEtcd } from "../../scripts/services/etcd.ts";
import { freePorts } from "../../scripts/services/free_port.ts";
import { eventually } from "../fixtures/eventually.ts";
import { uniqueName } from "../fixtures/services.ts";

const leaseTtlSeconds = 3;

Deno.test("EtcdRegistry rides out an etcd restart: calls fail fast, then recover on their own", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "retune-etcd-restart-" });
  const [client, peer] = freePorts(2);
  const start = () => startEtcd({ ports: { client, peer }, dataDir });
  let etcd = await start();
  const endpoints = [etcd.endpoints];
  const options = { endpoints, leaseTtlSeconds, callTimeoutMs: 1_000, callAttempts: 2 };
  const [leader, standby] = [new EtcdRegistry(options), new EtcdRegistry(options)];
  const election = uniqueName("outage");
  try {
    await leader.commit({ puts: [{ key: `${election}/k`, value: "before" }] });
    const leadership = await leader.campaign(election, "leader");
    const waiting = standby.campaign(election, "standby");
    await new Promise((resolve) => setTimeout(resolve, 300));

    await etcd.halt();
    const failedAt = performance.now();
    await assert.rejects(leader.get(`${election}/k`));
    // Two attempts of 1 s each plus backoff: well under 10 s, never for ever.
    assert.ok(performance.now() - failedAt < 10_000, "a call waited past its deadline");
    for (let i = 0; i < 5; i++) await leader.get(`${election}/k`).catch(() => undefined);

    etcd = await start();
    await eventually(
      async () => (await leader.get(`${election}/k`).catch(() => undefined))?.value === "before",
      { what: "the leader's client reads again after the restart", deadlineMs: 15_000 },
    );
    assert.equal(
      await standby.commit({ puts: [{ key: `${election}/k`, value: "after" }] }),
      true,
    );
    // The leader kept its lease across the restart (etcd renews leases when it comes back).
    assert.equal(leadership.lost.aborted, false);
    assert.equal(await candidates(endpoints, election), 2, "a candidate was duplicated");

    await leadership.resign();
    const next = await waiting;
    assert.equal(next.lost.aborted, false);
    assert.equal(await candidates(endpoints, election), 1);
  } finally {
    await leader.close();
    await standby.close();
    await etcd.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** How many candidates stand in `election`. */
async function candidates(endpoints: string[], election: string): Promise<number> {
  const admin = new Etcd3({ hosts: endpoints });
  try {
    return (await admin.getAll().prefix(`election/${election}/`).keys()).length;
  } finally {
    admin.close();
  }
}
