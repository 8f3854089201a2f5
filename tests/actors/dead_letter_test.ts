import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { decodePayload, encodePayload } from "../../protocol/codec.ts";
import { createHash } from "node:crypto";
import { deadLetter, deadLetterOf } from "../../actors/dead_letter.ts";
import type { ConsumedRecord } from "../../transport/transport.ts";

const record: ConsumedRecord = {
  topic: "retune.forecasts",
  partition: 3,
  offset: 1_234,
  key: "227592820",
  value: new Uint8Array([1, 2, 3]),
  headers: { trace: "abc" },
  timestamp: 1_600_000_000_000,
};

Deno.test("deadLetterOf keeps where the record came from, its bytes and why", {
  permissions: "none",
}, () => {
  const clock = FakeTimers.install({ now: 1_700_000_000_000, toFake: ["Date"] });
  try {
    assert.deepStrictEqual(deadLetterOf(record, "cannot decode Forecast: truncated"), {
      sourceTopic: "retune.forecasts",
      partition: 3,
      offset: 1_234,
      key: "227592820",
      reason: "cannot decode Forecast: truncated",
      original: new Uint8Array([1, 2, 3]),
      failedAt: 1_700_000_000_000,
      originalSize: 3,
      originalSha256: "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81",
      truncated: false,
    });
  } finally {
    clock.uninstall();
  }
});

Deno.test("a dead letter of a keyless record encodes and decodes", { permissions: "none" }, () => {
  const letter = deadLetterOf({ ...record, key: null }, "handler threw");
  assert.deepStrictEqual(decodePayload("DeadLetter", encodePayload("DeadLetter", letter)), letter);
});

Deno.test("a record over the limit is kept truncated, with its whole size and digest", {
  permissions: "none",
}, () => {
  // Just under Kafka's default 1 MiB record limit: with letter fields around it, it would not fit.
  const value = new Uint8Array(1_048_400).map((_, i) => i % 251);
  const letter = deadLetterOf({ ...record, value }, "handler threw", undefined, 1_000);
  assert.equal(letter.truncated, true);
  assert.equal(letter.originalSize, 1_048_400);
  assert.deepEqual(letter.original, value.slice(0, 1_000));
  assert.equal(letter.originalSha256, createHash("sha256").update(value).digest("hex"));
  assert.deepEqual([letter.sourceTopic, letter.partition, letter.offset], [
    "retune.forecasts",
    3,
    1_234,
  ]);
  assert.ok(encodePayload("DeadLetter", letter).length < 1_200, "the letter stays small");
});

Deno.test("an original already cut at its source records the whole size and no digest", {
  permissions: "none",
}, () => {
  const letter = deadLetter({
    sourceTopic: "file:input.csv",
    partition: -1,
    offset: 7,
    key: null,
    reason: "line 7: line is 700000 characters long, over the limit of 65536",
    original: new TextEncoder().encode("x".repeat(1_024)),
    size: 700_000,
  });
  assert.deepEqual([letter.truncated, letter.originalSize, letter.originalSha256], [
    true,
    700_000,
    "",
  ]);
  assert.throws(() => deadLetter({ ...letter, size: undefined }, -1), /maxOriginalBytes .* -1/);
});
