import assert from "node:assert/strict";
import { decodePayload, encodePayload } from "../../protocol/codec.ts";
import type { StreamEvent } from "../../core/events.ts";
import { type BucketDeletion, deletionLogOf } from "../../storage/deletion_log.ts";
import { FilesystemBucketStore } from "../../storage/filesystem_bucket_store.ts";
import { bucketStoreContract, events } from "./bucket_store_contract.ts";
import { storeFolders } from "./store_folders.ts";

const { fresh: freshDir, permissions } = storeFolders("retune-bucket-store-test-");

bucketStoreContract({
  name: "FilesystemBucketStore",
  create: () => new FilesystemBucketStore(freshDir()),
  reopen: (store) => new FilesystemBucketStore((store as FilesystemBucketStore).dir),
  permissions,
});

Deno.test(
  "FilesystemBucketStore: a closed bucket is a file of length-prefixed Avro blocks named by its id",
  {
    permissions,
  },
  async () => {
    const dir = freshDir();
    const store = new FilesystemBucketStore(dir);
    await store.append(12, events(2));
    await store.append(12, events(1, 2));
    await store.close(12);
    const bytes = await Deno.readFile(`${dir}/12.bucket`);
    const blocks: StreamEvent[][] = [];
    for (let offset = 0; offset < bytes.length;) {
      const length = new DataView(bytes.buffer, offset).getUint32(0, true);
      blocks.push(
        decodePayload("StreamEventBatch", bytes.subarray(offset + 4, offset + 4 + length)).events,
      );
      offset += 4 + length;
    }
    assert.deepEqual(blocks, [events(2), events(1, 2)]);
  },
);

Deno.test("FilesystemBucketStore: bytes already encoded are stored as they are", {
  permissions,
}, async () => {
  const dir = freshDir();
  const store = new FilesystemBucketStore(dir);
  const encoded = encodePayload("StreamEventBatch", { events: events(3) });
  await store.append(0, events(3), encoded);
  await store.close(0);
  const bytes = await Deno.readFile(`${dir}/0.bucket`);
  assert.deepEqual(bytes.subarray(4), new Uint8Array(encoded));
  assert.deepEqual(await store.read(0), events(3));
});

Deno.test(
  "FilesystemBucketStore: a bucket cut inside a block or holding a bad block is an error, not garbage",
  {
    permissions,
  },
  async () => {
    const dir = freshDir();
    const store = new FilesystemBucketStore(dir);
    await store.append(5, events(2));
    await store.append(5, events(2, 2));
    await store.close(5);
    const whole = await Deno.readFile(`${dir}/5.bucket`);
    await Deno.writeFile(`${dir}/5.bucket`, whole.subarray(0, whole.length - 3));
    await assert.rejects(
      Array.fromAsync(store.stream(5)),
      /^Error: bucket 5 ends inside a block: \d+ bytes at byte \d+ are the start of a block whose write did not finish$/,
    );
    const bad = new Uint8Array([3, 0, 0, 0, 0xff, 0xff, 0xff]);
    await Deno.writeFile(`${dir}/5.bucket`, bad);
    await assert.rejects(store.read(5), /bucket 5 holds a block at byte 0 that does not decode/);
  },
);

Deno.test("FilesystemBucketStore: an open bucket's buffered events stay unseen by other stores", {
  permissions,
}, async () => {
  const dir = freshDir();
  const [collector, factory] = [new FilesystemBucketStore(dir), new FilesystemBucketStore(dir)];
  await collector.append(1, events(1, 3));
  // Bucket 1's only event is still in the collector's buffer.
  assert.deepEqual(await factory.list(), []);
  await collector.close(1);
  assert.deepEqual(await factory.read(1), events(1, 3));
});

Deno.test("FilesystemBucketStore: files that are not buckets are left alone", {
  permissions,
}, async () => {
  const dir = freshDir();
  const store = new FilesystemBucketStore(dir);
  await store.append(3, events(1));
  await store.close(3);
  for (const name of ["notes.txt", "03.bucket", "x.bucket", "3.bucket.tmp"]) {
    await Deno.writeTextFile(`${dir}/${name}`, "");
  }
  assert.deepEqual(await store.list(), [3]);
  await store.deleteAll();
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
    "03.bucket",
    "3.bucket.tmp",
    "notes.txt",
    "x.bucket",
  ]);
});

Deno.test("FilesystemBucketStore: a relative folder is resolved once, when made", {
  permissions: { ...permissions, read: true },
}, () => {
  const store = new FilesystemBucketStore("./.retune/buckets");
  assert.equal(store.dir, `${Deno.cwd()}/.retune/buckets`);
});

Deno.test(
  "FilesystemBucketStore: each deletion that removes a bucket is one line of the audit log",
  { permissions },
  async () => {
    const dir = freshDir();
    const store = new FilesystemBucketStore(dir);
    await store.append(1, events(2));
    await store.close(1);
    await store.append(2, events(1));
    const before = Date.now();
    await store.delete(1);
    await store.delete(2);
    await store.delete(3);
    const lines = (await Deno.readTextFile(deletionLogOf(dir))).trimEnd().split("\n");
    const deletions = lines.map((line) => JSON.parse(line) as BucketDeletion);
    assert.deepEqual(
      deletions.map(({ bucket, pid, open }) => ({ bucket, pid, open })),
      [{ bucket: 1, pid: Deno.pid, open: false }, { bucket: 2, pid: Deno.pid, open: true }],
    );
    assert.ok(deletions.every(({ at }) => at >= before && at <= Date.now()));
    assert.deepEqual(await store.list(), [], "the log lies outside the bucket folder");
  },
);
