import assert from "node:assert/strict";
import { type BucketDeletion, deletionLogOf } from "../../storage/deletion_log.ts";
import { S3BucketStore } from "../../storage/s3_bucket_store.ts";
import { S3Objects } from "../../storage/s3_objects.ts";
import { s3Endpoint, s3Location } from "../fixtures/services.ts";
import { bucketStoreContract, events } from "./bucket_store_contract.ts";
import { s3Permissions } from "./s3_permissions.ts";
import { storeFolders } from "./store_folders.ts";

// Outside the tests: starting a throwaway server, when none is named, needs more permissions.
const endpoint = await s3Endpoint();
const { fresh: freshDir, permissions: folders } = storeFolders("retune-s3-bucket-store-test-");
const permissions = s3Permissions(endpoint, folders);

/** Each store's place: its key prefix, and the local folder of its deletion log. */
const places = new WeakMap<
  S3BucketStore,
  { location: ReturnType<typeof s3Location>; dir: string }
>();

function create(location = s3Location(endpoint, "bucket-store"), dir = freshDir()): S3BucketStore {
  const store = new S3BucketStore(location, dir);
  places.set(store, { location, dir });
  return store;
}

bucketStoreContract({
  name: "S3BucketStore",
  create: () => create(),
  reopen(store) {
    const { location, dir } = places.get(store as S3BucketStore)!;
    return create(location, dir);
  },
  permissions,
});

Deno.test("S3BucketStore: an open bucket is segments, a closed one a single object", {
  permissions,
}, async () => {
  const location = s3Location(endpoint, "bucket-store");
  const store = create(location);
  const objects = new S3Objects(location);
  try {
    await store.append(3, events(2));
    await store.read(3);
    await store.append(3, events(1, 2));
    await store.read(3);
    assert.deepEqual(await objects.list("buckets/"), ["3.open/0000000000", "3.open/0000000001"]);
    await store.close(3);
    assert.deepEqual(await objects.list("buckets/"), ["3.bucket"]);
    assert.deepEqual(await store.read(3), events(3));
  } finally {
    await store.deleteAll();
  }
});

Deno.test("S3BucketStore: a bucket holding a bad block is an error, not garbage", {
  permissions,
}, async () => {
  const location = s3Location(endpoint, "bucket-store");
  const store = create(location);
  try {
    await new S3Objects(location).put("buckets/5.bucket", new Uint8Array([3, 0, 0, 0, 0xff, 0xff]));
    await assert.rejects(
      store.read(5),
      /^Error: bucket 5 ends inside a block: 6 bytes at byte 0 are the start of a block/,
    );
  } finally {
    await store.deleteAll();
  }
});

Deno.test("S3BucketStore: each deletion that removes a bucket is one line of the local audit log", {
  permissions,
}, async () => {
  const dir = freshDir();
  const store = create(undefined, dir);
  await store.append(1, events(2));
  await store.close(1);
  await store.append(2, events(1));
  await store.delete(1);
  await store.delete(2);
  await store.delete(3);
  const lines = (await Deno.readTextFile(deletionLogOf(dir))).trimEnd().split("\n");
  assert.deepEqual(
    lines.map((line) => JSON.parse(line) as BucketDeletion).map(({ bucket, pid, open }) => ({
      bucket,
      pid,
      open,
    })),
    [{ bucket: 1, pid: Deno.pid, open: false }, { bucket: 2, pid: Deno.pid, open: true }],
  );
});

Deno.test("S3BucketStore: a store on another prefix of the bucket sees none of its buckets", {
  permissions,
}, async () => {
  const [mine, theirs] = [create(), create()];
  try {
    await mine.append(0, events(1));
    await mine.close(0);
    assert.deepEqual(await theirs.list(), []);
    await theirs.deleteAll();
    assert.deepEqual(await mine.read(0), events(1));
  } finally {
    await mine.deleteAll();
  }
});
