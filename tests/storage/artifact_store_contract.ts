/**
 * The behaviour every ArtifactStore implementation must show (in memory, in files, in S3), as Deno
 * tests that each implementation's test file runs against its own stores.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { ArtifactStore } from "../../storage/artifact_store.ts";

/** How a test file makes stores for the contract. */
export interface ArtifactStoreSubject {
  /** Name shown in the test names. */
  name: string;
  /** A new, empty store. */
  create(): ArtifactStore;
  /**
   * Another store on the same place as `store`, as another process would open it (the memory
   * store, which no other process can share, gives `store` itself).
   */
  reopen(store: ArtifactStore): ArtifactStore;
  /** URIs the store must refuse to touch (other schemes, other places, escapes). */
  foreignUris(store: ArtifactStore): string[];
  /** Permissions the implementation needs. */
  permissions: Deno.PermissionOptions;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

/** Registers the contract tests for one implementation. */
export function artifactStoreContract(subject: ArtifactStoreSubject): void {
  const test = (name: string, body: (store: ArtifactStore) => Promise<void>) =>
    Deno.test(`${subject.name}: ${name}`, { permissions: subject.permissions }, async () => {
      await body(subject.create());
    });

  test("get returns what put stored at the URI it gave", async (store) => {
    const uri = await store.put("models", "v1.json", bytes('{"order": 2}'));
    assert.equal(text(await store.get(uri)), '{"order": 2}');
  });

  test("put replaces an artifact of the same kind and name", async (store) => {
    const first = await store.put("datasets", "v3.jsonl", bytes("old"));
    const second = await store.put("datasets", "v3.jsonl", bytes("new"));
    assert.equal(second, first);
    assert.equal(text(await store.get(first)), "new");
  });

  test("kinds keep artifacts of the same name apart", async (store) => {
    const model = await store.put("models", "v1", bytes("model"));
    const dataset = await store.put("datasets", "v1", bytes("dataset"));
    assert.notEqual(model, dataset);
    assert.equal(text(await store.get(model)), "model");
    assert.equal(text(await store.get(dataset)), "dataset");
  });

  test("list gives the URIs of one kind, sorted by name", async (store) => {
    assert.deepEqual(await store.list("models"), []);
    const uris = new Map<string, string>();
    for (const name of ["v2.json", "v10.json", "v1.json"]) {
      uris.set(name, await store.put("models", name, bytes(name)));
    }
    await store.put("datasets", "v1.jsonl", bytes(""));
    assert.deepEqual(await store.list("models"), [
      uris.get("v1.json"),
      uris.get("v10.json"),
      uris.get("v2.json"),
    ]);
  });

  test("delete removes an artifact, and a missing one quietly", async (store) => {
    const uri = await store.put("models", "v1.json", bytes("x"));
    await store.delete(uri);
    await store.delete(uri);
    await assert.rejects(store.get(uri), { name: "NotFound", message: `no artifact at ${uri}` });
    assert.deepEqual(await store.list("models"), []);
  });

  test("empty and binary artifacts come back byte for byte", async (store) => {
    const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(await store.get(await store.put("blobs", "all-bytes", binary)), binary);
    assert.deepEqual(
      await store.get(await store.put("blobs", "empty", new Uint8Array())),
      new Uint8Array(),
    );
  });

  test("stored bytes cannot be changed through the arrays given or returned", async (store) => {
    const given = bytes("abc");
    const uri = await store.put("models", "v1.json", given);
    given[0] = 0;
    (await store.get(uri))[1] = 0;
    assert.equal(text(await store.get(uri)), "abc");
  });

  test("kinds and names must be plain, visible path segments", async (store) => {
    for (const bad of ["", ".", "..", "../models", "a/b", ".hidden", "x".repeat(256), "a b"]) {
      const rejection = (parameter: string) => ({
        name: "RangeError",
        message:
          `${parameter} must be 1 to 255 letters, digits, '.', '_' or '-', starting with a ` +
          `letter or digit: current value is '${bad}'`,
      });
      await assert.rejects(store.put(bad, "v1", bytes("x")), rejection("kind"));
      await assert.rejects(store.put("models", bad, bytes("x")), rejection("name"));
      await assert.rejects(store.list(bad), rejection("kind"));
    }
  });

  test("another store on the same place reads what one put", async (store) => {
    const uri = await store.put("models", "v4.json", bytes("4"));
    assert.equal(text(await subject.reopen(store).get(uri)), "4");
  });

  test("URIs that lead anywhere but the store are refused", async (store) => {
    await store.put("models", "v1.json", bytes("x"));
    for (const uri of subject.foreignUris(store)) {
      await assert.rejects(store.get(uri), { name: "RangeError", message: /^uri must be / }, uri);
      await assert.rejects(store.delete(uri), { name: "RangeError" }, uri);
    }
    assert.equal((await store.list("models")).length, 1);
  });
}
