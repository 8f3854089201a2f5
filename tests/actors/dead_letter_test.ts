import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { decodePayload, encodePayload } from "../../protocol/codec.ts";
import { deadLetterOf } from "../../actors/dead_letter.ts";
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
    });
  } finally {
    clock.uninstall();
  }
});

Deno.test("a dead letter of a keyless record encodes and decodes", { permissions: "none" }, () => {
  const letter = deadLetterOf({ ...record, key: null }, "handler threw");
  assert.deepStrictEqual(decodePayload("DeadLetter", encodePayload("DeadLetter", letter)), letter);
});
