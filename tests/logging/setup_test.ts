import assert from "node:assert/strict";
import { type ConsoleSinkOptions, getLogger, resetSync } from "@logtape/logtape";
import { roleLogger, setupLogging } from "../../logging/setup.ts";

/** A console whose `error` lines (where every record goes) are kept for inspection. */
function capture(): { console: ConsoleSinkOptions["console"]; lines: string[] } {
  const lines: string[] = [];
  const sink = {
    error: (line: string) => lines.push(line),
  } as unknown as ConsoleSinkOptions["console"];
  return { console: sink, lines };
}

Deno.test("records below the configured level are dropped", () => {
  const { console, lines } = capture();
  setupLogging({ level: "warning", format: "text" }, { console });
  try {
    const log = roleLogger("engine");
    log.debug("not shown");
    log.info("not shown either");
    log.warn("lag is {lag} events", { lag: 1200 });
    log.error("model swap failed", { version: 7 });
  } finally {
    resetSync();
  }
  assert.equal(lines.length, 2);
  assert.match(lines[0], /WRN retune\.engine: lag is 1200 events$/);
  assert.match(lines[1], /ERR retune\.engine: model swap failed version=7$/);
});

Deno.test("JSON format writes one parseable object per record with category and properties", () => {
  const { console, lines } = capture();
  setupLogging({ level: "debug", format: "json" }, { console });
  try {
    roleLogger("factory", "wayeb").debug("trained {events} events", { events: 42, jar: "w.jar" });
  } finally {
    resetSync();
  }
  assert.equal(lines.length, 1);
  const record = JSON.parse(lines[0]);
  assert.equal(record.level, "DEBUG");
  assert.equal(record.logger, "retune.factory.wayeb");
  assert.equal(record.message, "trained 42 events");
  assert.deepEqual(record.properties, { events: 42, jar: "w.jar" });
});

Deno.test("records of categories outside retune are not written", () => {
  const { console, lines } = capture();
  setupLogging({ level: "debug", format: "text" }, { console });
  try {
    roleLogger("observer").info("seen");
    getLogger(["some-library"]).error("not ours");
  } finally {
    resetSync();
  }
  assert.equal(lines.length, 1);
});

Deno.test("text format writes strings as words and other values on one line", () => {
  const { console, lines } = capture();
  setupLogging({ level: "info", format: "text" }, { console });
  try {
    roleLogger("observer").info("report {report} (MCC {mcc}): {instruction} because {reason}", {
      report: 10,
      mcc: "0.000",
      instruction: "optimise",
      reason: "batch MCC 0.000 < minScore 0.2",
      evaluations: [{ order: 2, mcc: 0.5 }],
      model: "v3",
      previous: null,
    });
  } finally {
    resetSync();
  }
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    / INF retune\.observer: report 10 \(MCC 0\.000\): optimise because batch MCC 0\.000 < minScore 0\.2 evaluations=\[ \{ order: 2, mcc: 0\.5 \} \] model=v3 previous=null$/,
  );
});
