import assert from "node:assert/strict";
import { ExponentialBackoff } from "../../../actors/runtime/backoff.ts";

Deno.test("delays double per attempt up to the cap", () => {
  const backoff = new ExponentialBackoff({ initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 });
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((attempt) => backoff.delay(attempt)), [
    100,
    200,
    400,
    800,
    1_000,
    1_000,
  ]);
});

Deno.test("jitter spreads a delay by at most the given fraction", () => {
  const options = { initialMs: 1_000, maxMs: 1_000, factor: 2, jitter: 0.25 };
  assert.equal(new ExponentialBackoff(options, () => 0).delay(0), 750);
  assert.equal(new ExponentialBackoff(options, () => 0.5).delay(0), 1_000);
  assert.equal(new ExponentialBackoff(options, () => 0.999_999).delay(0), 1_250);
});

Deno.test("bad backoff arguments are rejected naming the value", () => {
  const cases: [ConstructorParameters<typeof ExponentialBackoff>[0], string][] = [
    [
      { initialMs: 0, maxMs: 10, factor: 2, jitter: 0 },
      "initialMs must be a positive number: current value is 0",
    ],
    [
      { initialMs: 10, maxMs: 5, factor: 2, jitter: 0 },
      "maxMs must be a number >= initialMs: current value is 5",
    ],
    [
      { initialMs: 10, maxMs: 50, factor: 0.5, jitter: 0 },
      "factor must be a number >= 1: current value is 0.5",
    ],
    [
      { initialMs: 10, maxMs: 50, factor: 2, jitter: 1 },
      "jitter must be a number in [0, 1): current value is 1",
    ],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => new ExponentialBackoff(options), { name: "RangeError", message });
  }
  assert.throws(
    () => new ExponentialBackoff({ initialMs: 1, maxMs: 2, factor: 2, jitter: 0 }).delay(-1),
    { name: "RangeError", message: "attempt must be a non-negative integer: current value is -1" },
  );
});
