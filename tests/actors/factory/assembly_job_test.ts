import assert from "node:assert/strict";
import type { StreamEvent } from "../../../core/events.ts";
import { FilesystemArtifactStore } from "../../../storage/filesystem_artifact_store.ts";
import { FilesystemBucketStore } from "../../../storage/filesystem_bucket_store.ts";
import { runAssemblyJob } from "../../../actors/factory/assembly_job.ts";
import { decodeDataset } from "../../../actors/factory/dataset_file.ts";

function events(bucket: number, count: number): StreamEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `k${i % 3}`,
    timestamp: bucket * 1_000_000 + i,
    type: "A",
    attributes: { bucket, i },
  }));
}

Deno.test("assembly concatenates buckets in order, samples by weight and stores the dataset", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const buckets = new FilesystemBucketStore(`${dir}/buckets`);
    for (const id of [3, 4]) {
      await buckets.append(id, events(id, 200));
      await buckets.close(id);
    }
    const result = await runAssemblyJob({
      version: 7,
      buckets: [{ bucket: 3, weight: 0.5 }, { bucket: 4, weight: 1 }],
      storage: { kind: "fs", buckets: `${dir}/buckets`, artifacts: `${dir}/artifacts` },
      sampleSlices: 20,
    });
    const stored = decodeDataset(
      await new FilesystemArtifactStore(`${dir}/artifacts`).get(result.uri),
    );
    assert.equal(stored.length, result.events);
    const fromOld = stored.filter((e) => e.attributes.bucket === 3).length;
    assert.equal(fromOld, 100, "half of the older bucket");
    assert.equal(stored.length - fromOld, 200, "all of the newer bucket");
    const times = stored.map((e) => e.timestamp);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), "time order kept");
    assert.match(result.uri, /v7\.jsonl$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
