import assert from "node:assert/strict";
import { ModelCatalog, ModelVersionUnavailableError } from "../../registry/model_catalog.ts";
import { InProcessRegistry } from "../../registry/in_process.ts";
import type { CreationMethod, ModelVersion } from "../../core/versions.ts";

function model(version: number, creationMethod: CreationMethod = "retrain"): ModelVersion {
  const scores = { tp: 1, tn: 1, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1, specificity: 1 };
  return {
    version,
    artifactUri: `file:///a/v${version}.json`,
    creationMethod,
    params: { order: 2, threshold: 0.5, pMin: 0.001, gamma: 0.001, alpha: 0, r: 1.05 },
    metrics: { ...scores, mcc: 1 },
    datasetVersion: version,
    productionMs: 1,
    createdAt: 0,
  };
}

Deno.test("each version records its parent, the version live when it was made", async () => {
  const catalog = new ModelCatalog(new InProcessRegistry());
  await catalog.record(model(0, "initial"));
  await catalog.record(model(1));
  await catalog.designate(0, "operator", "v1 misbehaves");
  await catalog.record(model(2, "optimise"));
  const lineage = (await catalog.list()).map((m) => [m.version, m.lineage]);
  assert.deepEqual(lineage, [
    [0, { parent: null, reason: "initial" }],
    [1, { parent: 0, reason: "retrain" }],
    [2, { parent: 0, reason: "optimise" }],
  ]);
  assert.equal((await catalog.live())?.version, 2, "a new newest model goes live");
  assert.deepEqual((await catalog.record(model(2))).lineage, { parent: 0, reason: "optimise" });
});

Deno.test("the version answering a request is found by its request id", async () => {
  const catalog = new ModelCatalog(new InProcessRegistry());
  await catalog.record(model(0, "initial"));
  await catalog.record({ ...model(1), requestId: "req-a" });
  await catalog.record({ ...model(2, "optimise"), requestId: "req-b" });
  assert.equal((await catalog.answering("req-a"))?.version, 1);
  assert.equal((await catalog.answering("req-b"))?.version, 2);
  assert.equal(await catalog.answering("req-c"), undefined);
});

Deno.test("a version recorded after a newer one does not go live over it", async () => {
  const catalog = new ModelCatalog(new InProcessRegistry());
  await catalog.record(model(0, "initial"));
  await catalog.record(model(2));
  await catalog.record(model(1));
  assert.equal((await catalog.designation())?.version, 2);
});

Deno.test("a rollback designates a kept version; an unknown or retired one is refused", async () => {
  const catalog = new ModelCatalog(new InProcessRegistry());
  for (const version of [0, 1, 2]) await catalog.record(model(version));
  const designation = await catalog.designate(1, "serving-a", "rollback");
  assert.deepEqual(designation, { ...designation, version: 1, by: "serving-a" });
  assert.equal((await catalog.live())?.version, 1);
  await assert.rejects(catalog.designate(7, "x", "y"), ModelVersionUnavailableError);
  assert.equal(await catalog.retire(1), false, "the live version's artifact is kept");
  assert.equal(await catalog.retire(0), true);
  assert.equal(await catalog.retire(0), true, "idempotent");
  await assert.rejects(catalog.designate(0, "x", "y"), /version 0 cannot go live: its artifact/);
  assert.equal((await catalog.get(0))?.version, 0, "the record stays");
  await assert.rejects(catalog.designate(-1, "x", "y"), /version must be an integer >= 0/);
});

Deno.test("a record written before lineage was kept reads with no parent", async () => {
  const registry = new InProcessRegistry();
  await registry.commit({
    puts: [{ key: "retune/models/v/0000000000", value: JSON.stringify(model(0, "initial")) }],
  });
  const catalog = new ModelCatalog(registry);
  const [record] = await catalog.list();
  assert.deepEqual(record.lineage, { parent: null, reason: "initial" });
  assert.equal(record.artifactRetiredAt, null);
  assert.equal((await catalog.live())?.version, 0, "no designation: the newest is live");
});

Deno.test("a watch on the catalogue tells of designations", async () => {
  const catalog = new ModelCatalog(new InProcessRegistry());
  await catalog.record(model(0));
  let changes = 0;
  const watch = await catalog.watch(() => changes++);
  await catalog.designate(0, "a", "b");
  await Promise.resolve();
  assert.equal(changes, 1);
  await watch.close();
});
