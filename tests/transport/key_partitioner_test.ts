import assert from "node:assert/strict";
import { KeyPartitioner } from "../../transport/key_partitioner.ts";

// Partitions Kafka 3.9.1's Java client picks for these keys (`Utils.toPositive(Utils.murmur2(
// key's UTF-8 bytes)) % partitions`), for 1, 3, 4, 7 and 12 partitions: a record keeps its
// partition whichever client or transport wrote it.
const JAVA_PARTITIONS: [string, number[]][] = [
  ["a", [0, 1, 0, 5, 4]],
  ["ab", [0, 2, 2, 0, 2]],
  ["abc", [0, 0, 3, 4, 3]],
  ["abcd", [0, 2, 0, 5, 8]],
  ["abcde", [0, 1, 1, 4, 1]],
  ["vessel-227003050", [0, 1, 2, 0, 10]],
  ["245257000", [0, 0, 3, 1, 3]],
  ["été", [0, 1, 1, 4, 1]],
  ["key-with-some-length-42", [0, 0, 3, 6, 3]],
  ["", [0, 0, 1, 2, 9]],
];
const COUNTS = [1, 3, 4, 7, 12];

Deno.test("a key lands on the partition Kafka's Java default partitioner picks", () => {
  COUNTS.forEach((count, i) => {
    const partitioner = new KeyPartitioner(count);
    for (const [key, partitions] of JAVA_PARTITIONS) {
      // Twice: the second answer comes from the memo.
      assert.equal(partitioner.partition(key), partitions[i], `'${key}' over ${count}`);
      assert.equal(partitioner.partition(key), partitions[i], `'${key}' over ${count} again`);
    }
  });
});

Deno.test("records without a key spread over every partition", () => {
  const partitioner = new KeyPartitioner(3);
  const seen = new Set(Array.from({ length: 30 }, () => partitioner.partition(null)));
  assert.deepEqual([...seen].toSorted(), [0, 1, 2]);
});

Deno.test("groupByPartition splits items by their key's partition, keeping their order", () => {
  const partitioner = new KeyPartitioner(4);
  const items = ["a", "ab", "abc", "abcd", "abcde", "a"].map((key, seq) => ({ key, seq }));
  assert.deepEqual(partitioner.groupByPartition(items), [
    [{ key: "a", seq: 0 }, { key: "abcd", seq: 3 }, { key: "a", seq: 5 }],
    [{ key: "abcde", seq: 4 }],
    [{ key: "ab", seq: 1 }],
    [{ key: "abc", seq: 2 }],
  ]);
});

Deno.test("a partition count that is not a positive integer is refused", () => {
  assert.throws(() => new KeyPartitioner(0), /partitions/);
  assert.throws(() => new KeyPartitioner(1.5), /partitions/);
});
