import assert from "node:assert/strict";
import { InProcessRegistry } from "../../registry/in_process.ts";
import { NamespacedRegistry } from "../../registry/namespaced.ts";

Deno.test("namespaces keep their keys and elections apart on one registry", async () => {
  const shared = new InProcessRegistry();
  const a = new NamespacedRegistry(shared, "a");
  const b = new NamespacedRegistry(shared, "b");
  assert.equal(await a.commit({ puts: [{ key: "models/1", value: "A" }] }), true);
  assert.equal(await b.commit({ puts: [{ key: "models/1", value: "B" }] }), true);
  assert.equal((await a.get("models/1"))?.value, "A");
  assert.deepEqual((await b.list("models/")).map((e) => [e.key, e.value]), [["models/1", "B"]]);
  assert.deepEqual((await shared.list("")).map((e) => e.key), ["a/models/1", "b/models/1"]);

  const entry = (await a.get("models/1"))!;
  assert.equal(
    await a.commit({
      guards: [{ key: "models/1", revision: entry.revision }],
      deletes: ["models/1"],
    }),
    true,
  );
  assert.equal(await a.get("models/1"), undefined);
  assert.equal((await b.get("models/1"))?.value, "B");

  const leaderA = await a.campaign("factory", "x");
  const leaderB = await b.campaign("factory", "y");
  assert.equal(leaderA.lost.aborted || leaderB.lost.aborted, false, "both lead their own election");
  await leaderA.resign();
  await leaderB.resign();
  assert.throws(
    () => new NamespacedRegistry(shared, "a/"),
    /trailing '\/': current value is 'a\/'/,
  );
});
