import assert from "node:assert/strict";
import { loggedAt } from "../../../scripts/chaos/log_line.ts";

Deno.test("loggedAt: the time a text log line begins with, in its own offset", () => {
  assert.equal(
    loggedAt("2026-12-06 01:16:26.921 +00 INF retune.collector: running collector"),
    Date.parse("2026-12-06T01:16:26.921Z"),
  );
  assert.equal(
    loggedAt("2026-12-06 03:16:26.921 +02:00 INF retune.engine: running engine"),
    Date.parse("2026-12-06T01:16:26.921Z"),
  );
  assert.equal(loggedAt("    at CircuitBreakerPolicy.execute (file:///x.js:161:27)"), undefined);
});
