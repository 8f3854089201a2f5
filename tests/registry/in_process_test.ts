import assert from "node:assert/strict";
import { InProcessRegistry } from "../../registry/in_process.ts";
import { registryContract } from "./registry_contract.ts";

registryContract({
  name: "InProcessRegistry",
  store() {
    const first = new InProcessRegistry();
    let opened = 0;
    return () => (opened++ === 0 ? first : first.connect());
  },
  permissions: "none",
});

Deno.test("a closed InProcessRegistry refuses further calls", { permissions: "none" }, async () => {
  const registry = new InProcessRegistry();
  await registry.close();
  await assert.rejects(registry.get("k"), { message: "the in-process registry is closed" });
  await assert.rejects(registry.campaign("e", "c"), {
    message: "the in-process registry is closed",
  });
});

Deno.test(
  "entries handed out cannot change the InProcessRegistry",
  { permissions: "none" },
  async () => {
    const registry = new InProcessRegistry();
    await registry.commit({ puts: [{ key: "k", value: "v" }] });
    const entry = await registry.get("k");
    assert.ok(entry);
    entry.value = "changed";
    assert.equal((await registry.get("k"))?.value, "v");
  },
);

Deno.test(
  "closing one connected InProcessRegistry leaves the others open",
  { permissions: "none" },
  async () => {
    const first = new InProcessRegistry();
    const second = first.connect();
    await first.commit({ puts: [{ key: "k", value: "v" }] });
    const leadership = await second.campaign("e", "second");
    await first.close();
    assert.equal((await second.get("k"))?.value, "v");
    assert.equal(leadership.lost.aborted, false);
    await second.close();
    assert.equal(leadership.lost.aborted, true);
  },
);
