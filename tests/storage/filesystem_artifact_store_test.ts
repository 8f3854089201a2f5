import assert from "node:assert/strict";
import { FilesystemArtifactStore } from "../../storage/filesystem_artifact_store.ts";
import type { ArtifactStore } from "../../storage/artifact_store.ts";
import { artifactStoreContract } from "./artifact_store_contract.ts";
import { storeFolders } from "./store_folders.ts";

const { fresh: freshDir, permissions } = storeFolders("retune-artifact-store-test-");

artifactStoreContract({
  name: "FilesystemArtifactStore",
  create: () => new FilesystemArtifactStore(freshDir()),
  reopen: (store) => new FilesystemArtifactStore((store as FilesystemArtifactStore).root),
  foreignUris(store: ArtifactStore) {
    const base = `file://${(store as FilesystemArtifactStore).root}`;
    return [
      "file:///etc/passwd",
      `${base}/models/../../../../etc/passwd`,
      `${base}/models/%2e%2e/%2e%2e/outside`,
      `${base}/models%2F..%2F..%2Foutside`,
      `${base}/models`,
      `${base}/models/sub/v1.json`,
      `${base}/models/.hidden`,
      `${base}-sibling/models/v1.json`,
      `${base}/models/v1.json?x=1`,
      `file://elsewhere${(store as FilesystemArtifactStore).root}/models/v1.json`,
      "memory://models/v1.json",
      `${(store as FilesystemArtifactStore).root}/models/v1.json`,
    ];
  },
  permissions,
});

Deno.test("FilesystemArtifactStore: a URI is an absolute file: URL any reader can open", {
  permissions,
}, async () => {
  const dir = freshDir();
  const store = new FilesystemArtifactStore(dir);
  const uri = await store.put("datasets", "v2.jsonl", new TextEncoder().encode("{}\n"));
  assert.equal(uri, `file://${dir}/datasets/v2.jsonl`);
  assert.equal(await Deno.readTextFile(new URL(uri)), "{}\n");
});

Deno.test("FilesystemArtifactStore: names needing escapes in a URL round-trip", {
  permissions,
}, async () => {
  const store = new FilesystemArtifactStore(`${freshDir()}/with space%`);
  const uri = await store.put("models", "v1.json", new Uint8Array([1]));
  assert.match(uri, /with%20space%25\/models\/v1\.json$/);
  assert.deepEqual(await store.get(uri), new Uint8Array([1]));
  assert.deepEqual(await store.list("models"), [uri]);
});

Deno.test("FilesystemArtifactStore: put leaves no temporary files behind", {
  permissions,
}, async () => {
  const dir = freshDir();
  const store = new FilesystemArtifactStore(dir);
  await store.put("models", "v1.json", new Uint8Array([1]));
  await store.put("models", "v1.json", new Uint8Array([2]));
  assert.deepEqual([...Deno.readDirSync(`${dir}/models`)].map((entry) => entry.name), ["v1.json"]);
});
