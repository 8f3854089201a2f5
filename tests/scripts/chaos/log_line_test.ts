import assert from "node:assert/strict";
import { ledRole, leftRole, loggedAt } from "../../../scripts/chaos/log_line.ts";

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

Deno.test("ledRole: the role a `leading <role>` line names, with or without properties", () => {
  assert.equal(
    ledRole("2026-12-06 02:23:18.484 +00 INF retune.collector: leading collector actor=collector"),
    "collector",
  );
  assert.equal(ledRole("2026-12-06 02:23:18.484 +00 INF retune.all: leading factory"), "factory");
  assert.equal(ledRole("2026-12-06 02:23:18.531 +00 INF retune.all: running factory"), undefined);
  assert.equal(ledRole("2026-12-06 02:23:18.531 +00 WRN retune.x: misleading factory"), undefined);
});

Deno.test("leftRole: the role a `left the <role> leadership` line names", () => {
  assert.equal(
    leftRole(
      "2026-12-06 02:23:18.484 +00 INF retune.optimiser: left the optimiser leadership: stopping role=optimiser",
    ),
    "optimiser",
  );
  assert.equal(leftRole("2026-12-06 02:23:18.484 +00 INF retune.all: leading factory"), undefined);
});
