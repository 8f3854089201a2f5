/**
 * Leader failover on a real etcd: a leader killed with SIGKILL (its lease left to expire) is
 * replaced within the lease TTL + 2 s; one that stops cleanly (revoking its lease) at once.
 */

import assert from "node:assert/strict";
import { EtcdRegistry } from "../../registry/etcd.ts";
import { etcdEndpoints, uniqueName } from "../fixtures/services.ts";

const endpoints = await etcdEndpoints();
const leaseTtlSeconds = 3;

/** Starts a leader in its own process; resolves once it leads. */
async function leaderProcess(election: string): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./fixtures/campaigner.ts", import.meta.url).pathname,
      endpoints.join(","),
      election,
      "doomed",
      String(leaseTtlSeconds),
    ],
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("leading")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the leader process ended before leading: ${seen}`);
    seen += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => undefined);
  return child;
}

for (
  const [how, signal, withinMs] of [
    ["killed (SIGKILL)", "SIGKILL", leaseTtlSeconds * 1000 + 2000],
    ["stopped cleanly (SIGTERM)", "SIGTERM", 2000],
  ] as const
) {
  Deno.test(`EtcdRegistry: a leader ${how} is replaced within ${withinMs} ms`, async () => {
    const election = uniqueName("failover");
    const leader = await leaderProcess(election);
    const standby = new EtcdRegistry({ endpoints, leaseTtlSeconds });
    try {
      let ledAt: number | undefined;
      const waiting = standby.campaign(election, "standby").then((leadership) => {
        ledAt = performance.now();
        return leadership;
      });
      // The standby must be queued behind the leader before the leader dies.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(ledAt, undefined, "the standby led while the leader lived");
      const diedAt = performance.now();
      leader.kill(signal);
      await leader.status;
      const leadership = await waiting;
      const tookMs = ledAt! - diedAt;
      assert.ok(tookMs <= withinMs, `failover took ${Math.round(tookMs)} ms, over ${withinMs}`);
      assert.equal(leadership.lost.aborted, false);
    } finally {
      try {
        leader.kill("SIGKILL");
      } catch {
        // Already ended.
      }
      await leader.status;
      await standby.close();
    }
  });
}
