import assert from "node:assert/strict";
import type { ArtifactStore } from "../../storage/artifact_store.ts";
import { S3ArtifactStore } from "../../storage/s3_artifact_store.ts";
import type { S3Location } from "../../storage/s3_objects.ts";
import { s3Endpoint, s3Location } from "../fixtures/services.ts";
import { artifactStoreContract } from "./artifact_store_contract.ts";
import { s3Permissions } from "./s3_permissions.ts";

// Outside the tests: starting a throwaway server, when none is named, needs more permissions.
const endpoint = await s3Endpoint();
const permissions = s3Permissions(endpoint);

const locations = new WeakMap<ArtifactStore, S3Location>();

function create(location = s3Location(endpoint, "artifact-store")): S3ArtifactStore {
  const store = new S3ArtifactStore(location);
  locations.set(store, location);
  return store;
}

artifactStoreContract({
  name: "S3ArtifactStore",
  create: () => create(),
  reopen: (store) => create(locations.get(store)!),
  foreignUris(store: ArtifactStore) {
    const { bucket, prefix } = locations.get(store)!;
    const base = `s3://${bucket}/${prefix}artifacts`;
    return [
      "file:///etc/passwd",
      "memory://models/v1.json",
      `${base}/models`,
      `${base}/models/`,
      `${base}/models/../v1.json`,
      `${base}/models/%2e%2e/v1.json`,
      `${base}/models/sub/v1.json`,
      `${base}/models/.hidden`,
      `${base}/models/v1.json?x=1`,
      `s3://other-bucket/${prefix}artifacts/models/v1.json`,
      `s3://${bucket}/elsewhere/artifacts/models/v1.json`,
      `s3://${bucket}/${prefix}buckets/0.bucket`,
      `${prefix}artifacts/models/v1.json`,
    ];
  },
  permissions,
});

Deno.test("S3ArtifactStore: a URI names the bucket and the key under the store's prefix", {
  permissions,
}, async () => {
  const location = s3Location(endpoint, "artifact-store");
  const uri = await create(location).put("datasets", "v2.jsonl", new TextEncoder().encode("{}\n"));
  assert.equal(uri, `s3://${location.bucket}/${location.prefix}artifacts/datasets/v2.jsonl`);
});
