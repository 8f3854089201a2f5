import assert from "node:assert/strict";
import {
  FULL_EVENTS,
  FULL_MINUTES,
  parseChaosArgs,
  SHORT_EVENTS,
  SHORT_MINUTES,
} from "../../../scripts/chaos/options.ts";

Deno.test("parseChaosArgs: defaults to a full run of at least 300k events over 5 minutes", () => {
  const options = parseChaosArgs([], 17)!;
  assert.equal(options.short, false);
  assert.equal(options.minutes, FULL_MINUTES);
  assert.equal(options.seed, 17);
  assert.equal(options.json, null);
  assert.equal(options.keep, false);
  assert.equal(options.client, null, "the configuration's kafka.client");
  assert.ok(options.events >= 300_000 && options.events === FULL_EVENTS);
});

Deno.test("parseChaosArgs: --short, --seed, --json and --keep", () => {
  const options = parseChaosArgs(["--short", "--seed=5", "--json=out.json", "--keep"], 17)!;
  assert.equal(options.minutes, SHORT_MINUTES);
  assert.equal(options.events, SHORT_EVENTS);
  assert.equal(options.seed, 5);
  assert.equal(options.json, "out.json");
  assert.equal(options.keep, true);
});

Deno.test("parseChaosArgs: --client picks the roles' Kafka client", () => {
  assert.equal(parseChaosArgs(["--client=platformatic"], 1)!.client, "platformatic");
  assert.equal(parseChaosArgs(["--client=kafkajs"], 1)!.client, "kafkajs");
  assert.throws(
    () => parseChaosArgs(["--client=librdkafka"], 1),
    /--client must be one of kafkajs, platformatic: current value is librdkafka/,
  );
});

Deno.test("parseChaosArgs: a longer window replays more events", () => {
  assert.equal(parseChaosArgs(["--minutes=10"], 1)!.events, 600_000);
});

Deno.test("parseChaosArgs: help, and bad values named", () => {
  assert.equal(parseChaosArgs(["--help"], 1), null);
  assert.throws(() => parseChaosArgs(["--minutes=abc"], 1), /--minutes must be a positive number/);
  assert.throws(() => parseChaosArgs(["--minutes=3"], 1), /--minutes must be at least 5/);
  assert.throws(() => parseChaosArgs(["--short", "--minutes=3"], 1), /at most 2 with --short/);
  assert.throws(() => parseChaosArgs(["--seed=x"], 1), /--seed must be an integer/);
  assert.throws(() => parseChaosArgs(["--bogus"], 1));
});
