import assert from "node:assert/strict";
import { Etcd3 } from "etcd3";
import { startEtcd } from "../../../scripts/services/etcd.ts";
import { freePorts } from "../../../scripts/services/free_port.ts";

// etcd3's gRPC reads its proxy and tracing settings from the environment.
const permissions: Deno.PermissionOptions = {
  run: ["etcd"],
  read: true,
  write: true,
  net: ["127.0.0.1"],
  env: true,
};

function portOf(endpoint: string): number {
  return Number(new URL(endpoint).port);
}

async function refused(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return false;
  } catch (error) {
    return error instanceof Deno.errors.ConnectionRefused;
  }
}

Deno.test("startEtcd: an etcd that stores keys, then stops and leaves nothing behind", {
  permissions,
}, async () => {
  const etcd = await startEtcd();
  assert.match(etcd.endpoints, /^http:\/\/127\.0\.0\.1:\d+$/);
  const client = new Etcd3({ hosts: etcd.endpoints });
  try {
    await client.put("retune/probe").value("stored");
    assert.equal(await client.get("retune/probe").string(), "stored");
  } finally {
    client.close();
    await etcd.stop();
  }
  await assert.rejects(Deno.stat(etcd.dir), Deno.errors.NotFound);
  assert.ok(await refused(portOf(etcd.endpoints)));
});

Deno.test("startEtcd: killed and started again on its ports and data folder, it keeps its keys", {
  // Signalling a process by its id takes run permission for every program.
  permissions: { ...permissions, run: true },
}, async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "retune-etcd-test-" });
  const [client, peer] = freePorts(2);
  const first = await startEtcd({ dataDir, ports: { client, peer } });
  try {
    const writer = new Etcd3({ hosts: first.endpoints });
    await writer.put("retune/kept").value("yes");
    writer.close();
    Deno.kill(first.pid, "SIGKILL");
    await first.stop();
    assert.ok(await refused(client));
    const again = await startEtcd({ dataDir, ports: { client, peer } });
    const reader = new Etcd3({ hosts: again.endpoints });
    try {
      assert.equal(again.endpoints, first.endpoints);
      assert.equal(await reader.get("retune/kept").string(), "yes");
    } finally {
      reader.close();
      await again.stop();
    }
    // The data folder is the caller's: it outlives every stop.
    assert.ok((await Deno.stat(dataDir)).isDirectory);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("startEtcd: two at once get ports and folders of their own", {
  permissions,
}, async () => {
  const both = await Promise.all([startEtcd(), startEtcd()]);
  try {
    assert.notEqual(both[0].endpoints, both[1].endpoints);
    assert.notEqual(both[0].dir, both[1].dir);
  } finally {
    await Promise.all(both.map((etcd) => etcd.stop()));
  }
});

Deno.test("startEtcd: one that cannot answer in time fails with its log and is gone", {
  permissions,
}, async () => {
  let port = 0;
  await assert.rejects(startEtcd({ readyTimeoutMs: 1 }), (error: Error) => {
    const [, digits] = error.message.match(
      /^etcd did not answer at http:\/\/127\.0\.0\.1:(\d+) within 1 ms; last lines of its log:\n/,
    ) ?? [];
    port = Number(digits);
    return port > 0;
  });
  assert.ok(await refused(port));
});

Deno.test("as a command it prints its endpoint, then stops and exits on SIGTERM", {
  permissions: { ...permissions, run: true },
}, async () => {
  const script = new URL("../../../scripts/services/etcd.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value: printed = "" } = await lines.read();
  const endpoint = printed.trim();
  assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  child.kill("SIGTERM");
  assert.equal((await child.status).code, 0);
  await lines.cancel();
  assert.ok(await refused(portOf(endpoint)));
});
