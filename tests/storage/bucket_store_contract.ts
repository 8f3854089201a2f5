/**
 * The behaviour every BucketStore implementation must show (in memory, in files, in S3), as Deno
 * tests that each implementation's test file runs against its own stores. Stores sharing one
 * place (two processes on one folder or one object store) must see each other's closed buckets.
 *
 * @module
 */

import assert from "node:assert/strict";
import { encodePayload } from "../../protocol/codec.ts";
import type { StreamEvent } from "../../core/events.ts";
import type { BucketStore } from "../../storage/bucket_store.ts";

/** How a test file makes stores for the contract. */
export interface BucketStoreSubject {
  /** Name shown in the test names. */
  name: string;
  /** A new, empty store. */
  create(): BucketStore;
  /**
   * Another store on the same place as `store`, as another process would open it (the memory
   * store, which no other process can share, gives `store` itself).
   */
  reopen(store: BucketStore): BucketStore;
  /** Permissions the implementation needs. */
  permissions: Deno.PermissionOptions;
}

/** `count` events of one vessel, one a minute from `start`. */
export function events(count: number, start = 0): StreamEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    key: "227592820",
    timestamp: 1_700_000_000_000 + (start + i) * 60_000,
    type: i % 2 === 0 ? "position" : "",
    attributes: { speed: (start + i) / 4, heading: 90, port: "Brest" },
  }));
}

/** Registers the contract tests for one implementation. */
export function bucketStoreContract(subject: BucketStoreSubject): void {
  const test = (name: string, body: (store: BucketStore) => Promise<void>) =>
    Deno.test(`${subject.name}: ${name}`, { permissions: subject.permissions }, async () => {
      const store = subject.create();
      try {
        await body(store);
      } finally {
        await store.deleteAll();
      }
    });

  test("read returns every appended event in arrival order", async (store) => {
    const [first, second] = [events(3), events(4, 3)];
    await store.append(7, first);
    await store.append(7, []);
    await store.append(7, second);
    assert.deepEqual(await store.read(7), [...first, ...second]);
    await store.close(7);
    assert.deepEqual(await store.read(7), [...first, ...second]);
  });

  test("stream yields the same events as read, one by one", async (store) => {
    // Enough events to span several write and read chunks.
    const appended = events(3_000);
    for (let i = 0; i < appended.length; i += 500) {
      await store.append(0, appended.slice(i, i + 500));
    }
    await store.close(0);
    const streamed: StreamEvent[] = [];
    for await (const event of store.stream(0)) streamed.push(event);
    assert.deepEqual(streamed, appended);
  });

  test("stream can be left early", async (store) => {
    await store.append(1, events(10));
    for await (const event of store.stream(1)) {
      assert.deepEqual(event, events(1)[0]);
      break;
    }
    assert.equal((await store.read(1)).length, 10);
  });

  test("events keep awkward text and numbers exactly", async (store) => {
    const awkward: StreamEvent = {
      key: 'line\nbreak "quoted" \u00e9\u{1F6A2}',
      timestamp: 0,
      type: "\t",
      attributes: { lat: 48.38249999999999, lon: -4.4951, note: '{"not": "json"}\n' },
    };
    await store.append(2, [awkward]);
    await store.close(2);
    assert.deepEqual(await store.read(2), [awkward]);
  });

  test("buckets are independent of each other", async (store) => {
    await store.append(1, events(2));
    await store.append(2, events(3, 10));
    await store.append(1, events(1, 2));
    assert.deepEqual(await store.read(1), events(3));
    assert.deepEqual(await store.read(2), events(3, 10));
  });

  test("a closed bucket takes no more events, and closing again does nothing", async (store) => {
    await store.append(3, events(2));
    await store.close(3);
    await store.close(3);
    await assert.rejects(store.append(3, events(1)), {
      message: "bucket 3 is closed: it takes no more events",
    });
    assert.deepEqual(await store.read(3), events(2));
  });

  test("a bucket that does not exist cannot be read or closed", async (store) => {
    const missing = { name: "NotFound", message: "bucket 9 does not exist" };
    await assert.rejects(store.read(9), missing);
    await assert.rejects(Array.fromAsync(store.stream(9)), missing);
    await assert.rejects(store.close(9), missing);
  });

  test("list gives open and closed buckets in ascending order", async (store) => {
    assert.deepEqual(await store.list(), []);
    for (const id of [10, 2, 0, 33]) await store.append(id, events(1));
    await store.close(2);
    await store.close(10);
    assert.deepEqual(await store.list(), [0, 2, 10, 33]);
  });

  test("delete removes open and closed buckets, and a missing one quietly", async (store) => {
    await store.append(4, events(2));
    await store.close(4);
    await store.append(5, events(2));
    await store.delete(4);
    await store.delete(5);
    await store.delete(6);
    assert.deepEqual(await store.list(), []);
    await assert.rejects(store.read(4), { name: "NotFound" });
    await assert.rejects(store.read(5), { name: "NotFound" });
    // A deleted id can start over.
    await store.append(5, events(1, 50));
    assert.deepEqual(await store.read(5), events(1, 50));
  });

  test("deleteAll removes every bucket", async (store) => {
    for (const id of [1, 2, 3]) await store.append(id, events(1));
    await store.close(2);
    await store.deleteAll();
    assert.deepEqual(await store.list(), []);
  });

  test("stored events cannot be changed through the arrays given or returned", async (store) => {
    const given = events(2);
    await store.append(8, given);
    given[0].attributes.speed = -1;
    given.push(...events(1, 9));
    const read = await store.read(8);
    read[1].key = "changed";
    assert.deepEqual(await store.read(8), events(2));
  });

  test("concurrent appends to one bucket all land, in call order", async (store) => {
    const batches = Array.from({ length: 20 }, (_, i) => events(5, i * 5));
    await Promise.all(batches.map((batch) => store.append(11, batch)));
    await store.close(11);
    assert.deepEqual(await store.read(11), batches.flat());
  });

  test("bytes already encoded read back as the events they encode", async (store) => {
    const encoded = encodePayload("StreamEventBatch", { events: events(3) });
    await store.append(0, events(3), encoded);
    await store.close(0);
    assert.deepEqual(await store.read(0), events(3));
  });

  test("a large bucket streams whole, in order", async (store) => {
    // About 1 MB over blocks of varied size, so blocks straddle read and write chunks.
    let appended = 0;
    for (let size = 1; appended < 20_000; size = (size * 7) % 997 + 1) {
      await store.append(1, events(size, appended));
      appended += size;
    }
    await store.close(1);
    let count = 0;
    for await (const event of store.stream(1)) {
      assert.equal(event.timestamp, events(1, count)[0].timestamp);
      count++;
    }
    assert.equal(count, appended);
  });

  test("another store on the same place sees what one closed", async (collector) => {
    const factory = subject.reopen(collector);
    await collector.append(0, events(3));
    await collector.close(0);
    assert.deepEqual(await factory.read(0), events(3));
    await collector.append(1, events(1, 3));
    await collector.close(1);
    assert.deepEqual(await factory.list(), [0, 1]);
    assert.deepEqual(await factory.read(1), events(1, 3));
    await assert.rejects(factory.append(0, events(1)), { message: /bucket 0 is closed/ });
    await factory.deleteAll();
    assert.deepEqual(await collector.list(), []);
  });

  test("a bucket left open by an earlier run can be closed by a later one", async (earlier) => {
    await earlier.append(4, events(2));
    // Reading writes buffered events out, as a crash after it would leave them.
    await earlier.read(4);
    const later = subject.reopen(earlier);
    assert.deepEqual(await later.list(), [4]);
    await later.append(4, events(1, 2));
    await later.close(4);
    assert.deepEqual(await later.read(4), events(3));
    assert.deepEqual(await earlier.read(4), events(3));
  });

  test("bucket ids must be non-negative integers", async (store) => {
    for (const id of [-1, 1.5, Number.NaN, 2 ** 53]) {
      const rejection = {
        name: "RangeError",
        message: `bucket id must be a non-negative integer: current value is ${id}`,
      };
      await assert.rejects(store.append(id, events(1)), rejection);
      await assert.rejects(store.close(id), rejection);
      await assert.rejects(store.read(id), rejection);
      await assert.rejects(store.delete(id), rejection);
    }
  });
}
