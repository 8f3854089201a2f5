import assert from "node:assert/strict";
import { FilesystemBucketStore } from "../../../protocol/storage/filesystem_bucket_store.ts";
import { bucketStoreContract, events } from "./bucket_store_contract.ts";
import { storeFolders } from "./store_folders.ts";

const { fresh: freshDir, permissions } = storeFolders("retune-bucket-store-test-");

bucketStoreContract({
  name: "FilesystemBucketStore",
  create: () => new FilesystemBucketStore(freshDir()),
  permissions,
});

Deno.test("FilesystemBucketStore: a closed bucket is a JSON-lines file named by its id", {
  permissions,
}, async () => {
  const dir = freshDir();
  const store = new FilesystemBucketStore(dir);
  await store.append(12, events(2));
  await store.close(12);
  const lines = (await Deno.readTextFile(`${dir}/12.jsonl`)).split("\n");
  assert.deepEqual(lines, [...events(2).map((event) => JSON.stringify(event)), ""]);
});

Deno.test("FilesystemBucketStore: another store on the folder sees what one closed", {
  permissions,
}, async () => {
  const dir = freshDir();
  const [collector, factory] = [new FilesystemBucketStore(dir), new FilesystemBucketStore(dir)];
  await collector.append(0, events(3));
  await collector.close(0);
  await collector.append(1, events(1, 3));
  assert.deepEqual(await factory.read(0), events(3));
  // Bucket 1's only event is still in the collector's buffer.
  assert.deepEqual(await factory.list(), [0]);
  await collector.close(1);
  assert.deepEqual(await factory.list(), [0, 1]);
  assert.deepEqual(await factory.read(1), events(1, 3));
  await assert.rejects(factory.append(0, events(1)), { message: /bucket 0 is closed/ });
  await factory.deleteAll();
  assert.deepEqual(await collector.list(), []);
});

Deno.test("FilesystemBucketStore: a bucket left open by an earlier run can be closed", {
  permissions,
}, async () => {
  const dir = freshDir();
  const earlier = new FilesystemBucketStore(dir);
  await earlier.append(4, events(2));
  // Reading writes the buffered events out, as a crash after it would leave them.
  await earlier.read(4);
  const later = new FilesystemBucketStore(dir);
  assert.deepEqual(await later.list(), [4]);
  await later.close(4);
  assert.deepEqual(await later.read(4), events(2));
});

Deno.test("FilesystemBucketStore: files that are not buckets are left alone", {
  permissions,
}, async () => {
  const dir = freshDir();
  const store = new FilesystemBucketStore(dir);
  await store.append(3, events(1));
  await store.close(3);
  for (const name of ["notes.txt", "03.jsonl", "x.jsonl", "3.jsonl.tmp"]) {
    await Deno.writeTextFile(`${dir}/${name}`, "");
  }
  assert.deepEqual(await store.list(), [3]);
  await store.deleteAll();
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
    "03.jsonl",
    "3.jsonl.tmp",
    "notes.txt",
    "x.jsonl",
  ]);
});

Deno.test("FilesystemBucketStore: a relative folder is resolved once, when made", {
  permissions: { ...permissions, read: true },
}, () => {
  const store = new FilesystemBucketStore("./.retune/buckets");
  assert.equal(store.dir, `${Deno.cwd()}/.retune/buckets`);
});
