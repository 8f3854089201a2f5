import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../config/config_error.ts";
import { defaultConfig, loadConfig, parseConfig } from "../../config/load.ts";

const examples = fileURLToPath(new URL("../../deploy/examples/", import.meta.url));
/** The yaml package reads these two variables (debug switches) while parsing. */
const yamlEnv = ["LOG_TOKENS", "LOG_STREAM"];
const parsing = { env: yamlEnv };
const reading = { read: [examples], env: yamlEnv };

const MODEL = "model: { pattern: p.pattern, source: { domain: maritime } }\n";

/** Parses `text` as the file `bad.yaml` and returns the ConfigError's message. */
function problemWith(text: string, env: Record<string, string> = {}): string {
  try {
    parseConfig(text, "bad.yaml", { env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.message;
  }
  assert.fail("expected a ConfigError");
}

Deno.test({
  name: "every example config loads",
  permissions: reading,
  async fn() {
    for (const name of ["embedded.yaml", "kafka.yaml", "drift.yaml", "fleet.yaml"]) {
      const config = await loadConfig(join(examples, name), { env: {} });
      assert.ok(config.model.pattern.startsWith(examples), `${name}: pattern resolved`);
    }
  },
});

Deno.test({
  name: "embedded.yaml spells out the built-in default",
  permissions: reading,
  async fn() {
    const embedded = await loadConfig(join(examples, "embedded.yaml"), { env: {} });
    const defaults = defaultConfig();
    assert.deepEqual(embedded, defaults);
    assert.equal(defaults.transport, "in-process");
    assert.equal(defaults.etcd, undefined);
  },
});

Deno.test({
  name: "relative paths resolve against the config file's folder; the storage default does not",
  permissions: reading,
  async fn() {
    const config = await loadConfig(join(examples, "kafka.yaml"), { env: {} });
    assert.equal(config.model.pattern, join(examples, "maritime/port_entering.pattern"));
    assert.equal(config.replayer.file, join(examples, "maritime/vessel_227592820.csv"));
    assert.equal(config.storage.dir, "./.retune");
    assert.deepEqual(config.kafka.brokers, ["127.0.0.1:9092"]);
    assert.deepEqual(config.etcd?.endpoints, ["http://127.0.0.1:2379"]);
  },
});

Deno.test({
  name: "kafka.client defaults to platformatic; kafkajs stays selectable",
  permissions: parsing,
  fn() {
    assert.equal(defaultConfig().kafka.client, "platformatic");
    const chosen = parseConfig(`${MODEL}kafka: { client: kafkajs }\n`, "kafkajs.yaml", { env: {} });
    assert.equal(chosen.kafka.client, "kafkajs");
  },
});

Deno.test({
  name: "environment overrides win over the file, the RETUNE_ name over the plain one",
  permissions: reading,
  async fn() {
    const file = join(examples, "kafka.yaml");
    const plain = await loadConfig(file, {
      env: {
        KAFKA_BROKERS: "10.0.0.1:9092, 10.0.0.2:9092",
        ETCD_ENDPOINTS: "http://10.0.0.3:2379",
      },
    });
    assert.deepEqual(plain.kafka.brokers, ["10.0.0.1:9092", "10.0.0.2:9092"]);
    assert.deepEqual(plain.etcd?.endpoints, ["http://10.0.0.3:2379"]);
    const both = await loadConfig(file, {
      env: { KAFKA_BROKERS: "10.0.0.1:9092", RETUNE_KAFKA_BROKERS: "10.0.0.9:9092" },
    });
    assert.deepEqual(both.kafka.brokers, ["10.0.0.9:9092"]);
  },
});

Deno.test({
  name: "environment overrides change addresses, never the mode",
  permissions: reading,
  async fn() {
    const config = await loadConfig(join(examples, "embedded.yaml"), {
      env: { ETCD_ENDPOINTS: "http://127.0.0.1:2379", KAFKA_BROKERS: "127.0.0.1:19092" },
    });
    assert.equal(config.etcd, undefined);
    assert.equal(config.transport, "in-process");
  },
});

Deno.test({
  name: "a bad environment value names the variable",
  permissions: parsing,
  fn() {
    const message = problemWith(MODEL, { RETUNE_KAFKA_BROKERS: "localhost" });
    assert.match(message, /RETUNE_KAFKA_BROKERS/);
    assert.match(message, /"host:port" addresses, got "localhost"/);
  },
});

Deno.test({
  name:
    "a bad fall margin or count or validation-gap count is rejected naming the key and the value",
  permissions: parsing,
  fn() {
    assert.match(
      problemWith(`${MODEL}observer: { fall: { margin: 0 } }\n`),
      /bad\.yaml: observer\.fall\.margin: .*got 0/,
    );
    assert.match(
      problemWith(`${MODEL}observer: { fall: { reports: 0 } }\n`),
      /bad\.yaml: observer\.fall\.reports: expected an integer >= 1, got 0/,
    );
    assert.match(
      problemWith(`${MODEL}observer: { validationGap: { optimisedReports: 0 } }\n`),
      /bad\.yaml: observer\.validationGap\.optimisedReports: expected an integer >= 1, got 0/,
    );
  },
});

Deno.test({
  name: "a wrong value names the file, the key path and the expected form",
  permissions: parsing,
  fn() {
    const message = problemWith(`${MODEL}optimiser: { evaluations: twenty }\n`);
    assert.equal(
      message,
      'bad.yaml: optimiser.evaluations: expected an integer >= 1, got "twenty"',
    );
  },
});

Deno.test({
  name: "every problem is reported, one line each",
  permissions: parsing,
  fn() {
    const message = problemWith(
      `${MODEL}logging: { level: verbose }\ntopics: { input: { partitions: 0 } }\n`,
    );
    assert.match(message, /2 problems/);
    assert.match(
      message,
      /bad\.yaml: logging\.level: expected one of "debug", "info", "warning", "error", got "verbose"/,
    );
    assert.match(message, /bad\.yaml: topics\.input\.partitions: expected an integer >= 1, got 0/);
  },
});

Deno.test({
  name: "an unknown key (a typo) is rejected by name",
  permissions: parsing,
  fn() {
    assert.equal(
      problemWith(`${MODEL}optimiser: { evaluatons: 5 }\n`),
      'bad.yaml: unknown key "evaluatons" in optimiser',
    );
    assert.equal(
      problemWith(`${MODEL}optimizer: {}\n`),
      'bad.yaml: unknown key "optimizer" at the top level',
    );
  },
});

Deno.test({
  name: "a missing required key says it is missing and what it should be",
  permissions: parsing,
  fn() {
    assert.equal(
      problemWith("model: { source: { domain: maritime } }\n"),
      "bad.yaml: model.pattern: missing, expected a file path",
    );
  },
});

Deno.test({
  name: "a policy of an unknown kind lists the kinds",
  permissions: parsing,
  fn() {
    assert.equal(
      problemWith(`${MODEL}collector: { policy: { kind: lastk } }\n`),
      'bad.yaml: collector.policy.kind: expected one of "last_k", "exponential_decay", "score_based", got "lastk"',
    );
    assert.match(
      problemWith(`${MODEL}replayer: { rate: { kind: speedup } }\n`),
      /replayer\.rate\.value: missing, expected a positive number/,
    );
  },
});

Deno.test({
  name: "cross-field rules are checked",
  permissions: parsing,
  fn() {
    assert.match(
      problemWith(`${MODEL}collector: { keep: 3, policy: { kind: last_k, k: 4 } }\n`),
      /collector\.policy\.k: expected an integer <= collector\.keep \(3\), got 4/,
    );
    assert.match(
      problemWith("model: { pattern: p, source: { domain: jsonl } }\n"),
      /model\.source\.mapping: missing, required when domain is "jsonl"/,
    );
    assert.match(
      problemWith("model: { kind: wayeb, pattern: p, source: { domain: maritime } }\n"),
      /model\.wayeb: missing, required when kind is "wayeb"/,
    );
    assert.match(
      problemWith(`${MODEL}engine: { report: { everyEvents: 10, everyStreamMs: 10 } }\n`),
      /engine\.report: expected exactly one of everyEvents: n or everyStreamMs: n/,
    );
    assert.match(
      problemWith(`${MODEL}topics: { output: { name: retune.input } }\n`),
      /topics\.output\.name: expected a name of its own, got "retune\.input", already the name of topics\.input/,
    );
    assert.match(
      problemWith(`${MODEL}optimiser: { evaluations: 5, reuse: 5 }\n`),
      /optimiser\.reuse: expected an integer < optimiser\.evaluations \(5\), got 5/,
    );
  },
});

Deno.test({
  name: "the factory's gate takes a margin in [0, 1] and recalls no more versions than it keeps",
  permissions: parsing,
  fn() {
    assert.match(
      problemWith(`${MODEL}factory: { keepModels: 3, gate: { recall: 3 } }\n`),
      /factory\.gate\.recall: expected an integer <= factory\.keepModels - 1 \(2\): only kept artifacts can be recalled, got 3/,
    );
    assert.match(
      problemWith(`${MODEL}factory: { gate: { margin: -0.1 } }\n`),
      /factory\.gate\.margin/,
    );
    assert.match(
      problemWith(`${MODEL}factory: { gate: { recall: 1.5 } }\n`),
      /factory\.gate\.recall/,
    );
    assert.match(
      problemWith(`${MODEL}factory: { gate: { enabled: 1 } }\n`),
      /factory\.gate\.enabled/,
    );
    assert.match(problemWith(`${MODEL}factory: { gate: { recal: 1 } }\n`), /factory\.gate/);
  },
});

Deno.test({
  name: "the factory's threshold is asked by default, or tuned over a grid in [0, 1]",
  permissions: parsing,
  fn() {
    const factory = (value: string) =>
      parseConfig(`${MODEL}factory: { threshold: ${value} }\n`, "retune.yaml", { env: {} }).factory;
    assert.deepEqual(parseConfig(MODEL, "retune.yaml", { env: {} }).factory.threshold, {
      kind: "asked",
    });
    assert.deepEqual(factory("{ kind: tuned }").threshold, {
      kind: "tuned",
      from: 0.05,
      to: 0.95,
      step: 0.025,
      halfWidth: 0.05,
    });
    assert.match(
      problemWith(`${MODEL}factory: { threshold: { kind: tuned, from: 0.8, to: 0.2 } }\n`),
      /factory\.threshold\.to: expected a number >= from \(0\.8\), got 0\.2/,
    );
    assert.match(
      problemWith(`${MODEL}factory: { threshold: { kind: tuned, step: 0 } }\n`),
      /factory\.threshold\.step: expected a number in \(0, 1\]/,
    );
    assert.match(
      problemWith(`${MODEL}factory: { threshold: { kind: best } }\n`),
      /factory\.threshold\.kind: expected one of "asked", "tuned", got "best"/,
    );
  },
});

Deno.test({
  name: "walk-forward validation takes a whole number of folds, at least one",
  permissions: parsing,
  fn() {
    const folds = (value: string) =>
      problemWith(`${MODEL}factory: { evaluation: { kind: walk_forward, folds: ${value} } }\n`);
    assert.match(
      folds("0"),
      /bad\.yaml: factory\.evaluation\.folds: expected an integer >= 1, got 0/,
    );
    assert.match(folds("2.5"), /factory\.evaluation\.folds: expected an integer >= 1, got 2\.5/);
    assert.match(
      problemWith(`${MODEL}factory: { evaluation: { kind: walk_forward, splits: 5 } }\n`),
      /factory\.evaluation/,
    );
    const config = parseConfig(
      `${MODEL}factory: { evaluation: { kind: walk_forward, folds: 5 } }\n`,
      "ok.yaml",
      { env: {} },
    );
    assert.deepEqual(config.factory.evaluation, { kind: "walk_forward", folds: 5 });
  },
});

Deno.test({
  name: "a retrain schedule takes a stream-time period or a cron expression, and a window",
  permissions: parsing,
  fn() {
    const schedule = (text: string) => `${MODEL}collector: { schedule: ${text} }\n`;
    const config = parseConfig(
      `${MODEL}collector: { keep: 18, schedule: { every: "7d", window: "120d", fullHistoryEvery: 4 } }\n`,
      "ok.yaml",
      { env: {} },
    );
    assert.deepEqual(config.collector.schedule, {
      every: 7 * 86_400_000,
      window: 120 * 86_400_000,
      fullHistoryEvery: 4,
    });
    assert.equal(parseConfig(MODEL, "ok.yaml", { env: {} }).collector.schedule, undefined);
    assert.match(
      problemWith(schedule('{ every: "7 days", window: "120d" }')),
      /bad\.yaml: collector\.schedule\.every: expected a span such as "14d" .*, got "7 days"/,
    );
    assert.match(
      problemWith(schedule('{ every: "7d" }')),
      /collector\.schedule\.window: missing, .*span such as "14d"/,
    );
    assert.match(
      problemWith(schedule('{ every: "7d", cron: "0 3 * * 1", window: "120d" }')),
      /collector\.schedule: expected exactly one of every: "7d" \(stream time\) or cron: "0 3 \* \* 1" \(wall time\)/,
    );
    assert.match(
      problemWith(schedule('{ cron: "61 * * * *", window: "120d" }')),
      /collector\.schedule\.cron: expected a cron expression such as "0 3 \* \* 1" .*, got "61 \* \* \* \*": .*minute/,
    );
    assert.match(
      problemWith(schedule('{ every: "7d", window: "120d", fullHistoryEvery: 1 }')),
      /collector\.schedule\.fullHistoryEvery: expected an integer >= 2, got 1/,
    );
    assert.match(
      problemWith(`${MODEL}collector: { keep: 9, schedule: { every: "7d", window: "120d" } }\n`),
      /collector\.schedule\.window: expected a span <= collector\.keep x collector\.bucket\.byStreamMs \(5443200000 ms: older buckets are deleted\), got 10368000000 ms/,
    );
  },
});

Deno.test({
  name: "a YAML syntax error names the file, line and column",
  permissions: parsing,
  fn() {
    const message = problemWith("transport: kafka\nkafka:\n  brokers: [a:1\n");
    assert.match(message, /^bad\.yaml:\d+:\d+: YAML syntax error: /);
    assert.match(problemWith("transport: kafka\ntransport: in-process\n"), /^bad\.yaml:2:1: /);
    assert.match(problemWith("- a\n- b\n"), /bad\.yaml: expected a mapping of sections/);
  },
});

Deno.test({
  name: "defaults are the reference system's",
  permissions: parsing,
  fn() {
    const config = parseConfig(MODEL, "ok.yaml", { env: {} });
    assert.deepEqual(config.engine.report, { everyStreamMs: 604_800_000 });
    assert.deepEqual(config.collector.bucket, { byStreamMs: 604_800_000 });
    assert.deepEqual(config.collector.policy, { kind: "last_k", k: 4 });
    assert.equal(config.collector.keep, 9);
    assert.deepEqual(config.observer.policy, {
      kind: "trend",
      k: 3,
      slopeThreshold: -0.025,
      guard: 4,
      minScore: 0.2,
      minScoreHoldOff: 4,
    });
    assert.deepEqual(
      [config.optimiser.initialPoints, config.optimiser.evaluations, config.optimiser.reuse],
      [undefined, 20, 5],
    );
    assert.equal(config.optimiser.acquisition, "hedge");
    assert.deepEqual(
      [config.optimiser.xi, config.optimiser.kappa, config.optimiser.nu],
      [0.01, 1.96, 2.5],
    );
    assert.deepEqual(config.factory.evaluation, { kind: "holdout", testFraction: 0.3 });
    assert.deepEqual(config.model.forecast, {
      horizon: 200,
      maxSpread: 200,
      mode: "interval",
      within: 20,
      cutoff: 0.001,
    });
    assert.deepEqual(config.topics.input, { name: "retune.input", partitions: 4, replication: 1 });
    const policy = parseConfig(`${MODEL}observer: { policy: { kind: difference } }\n`, "ok.yaml", {
      env: {},
    }).observer.policy;
    assert.deepEqual(policy, {
      kind: "difference",
      trainDrop: 0.025,
      optimiseDrop: 0.1,
      minScore: 0.2,
      minScoreHoldOff: 4,
    });
  },
});

Deno.test({
  name: "a generic source's mapping gets the source spec's defaults",
  permissions: parsing,
  fn() {
    const config = parseConfig(
      "model:\n  pattern: p\n  source:\n    domain: csv\n    mapping:\n      header: true\n" +
        "      key: card\n      timestamp: { field: time, unit: s }\n      numeric: [amount]\n",
      "ok.yaml",
      { env: {} },
    );
    assert.deepEqual(config.model.source.mapping, {
      header: true,
      columns: null,
      delimiter: ",",
      key: "card",
      timestamp: { field: "time", unit: "s" },
      type: null,
      numeric: ["amount"],
      strings: [],
      otherFields: "drop",
    });
  },
});

Deno.test({
  name: "a missing file is a ConfigError naming it",
  permissions: { read: true, env: yamlEnv },
  async fn() {
    await assert.rejects(
      () => loadConfig("/nonexistent/retune.yaml", { env: {} }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /\/nonexistent\/retune\.yaml: cannot read/.test(error.message),
    );
  },
});

Deno.test({
  name: "initialTraining takes a count of events or a span of stream time",
  permissions: parsing,
  fn() {
    const parse = (yaml: string) =>
      parseConfig(
        `model: { pattern: p, source: { domain: maritime }, initialTraining: ${yaml} }\n`,
        "t.yaml",
        { env: {} },
      ).model.initialTraining;
    assert.deepEqual(parse("{}"), { file: undefined, events: 5000 });
    assert.deepEqual(parse("{ events: 300 }"), { file: undefined, events: 300 });
    assert.deepEqual(parse('{ span: "14d" }'), { file: undefined, spanMs: 14 * 86_400_000 });
    assert.deepEqual(parse('{ span: "36h" }'), { file: undefined, spanMs: 36 * 3_600_000 });
    assert.deepEqual(parse("{ spanMs: 60000 }"), { file: undefined, spanMs: 60_000 });
  },
});

Deno.test({
  name: "a bad initialTraining names the file, the key and the expected form",
  permissions: parsing,
  fn() {
    const bad = (yaml: string) =>
      problemWith(
        `model: { pattern: p, source: { domain: maritime }, initialTraining: ${yaml} }\n`,
      );
    assert.equal(
      bad('{ span: "two weeks" }'),
      'bad.yaml: model.initialTraining.span: expected a span such as "14d" (an integer >= 1 and ' +
        'one of ms, s, m, h, d, w), got "two weeks"',
    );
    assert.match(
      bad("{ spanMs: -5 }"),
      /^bad\.yaml: model\.initialTraining\.spanMs: expected an integer >= 1/,
    );
    assert.match(
      bad('{ events: 10, span: "1d" }'),
      /^bad\.yaml: model\.initialTraining: expected at most one of events: n, spanMs: n or span: "14d"/,
    );
  },
});

Deno.test({
  name: "lockstep experiments need the in-process transport; live is the default",
  permissions: parsing,
  fn() {
    assert.equal(parseConfig(MODEL, "t.yaml", { env: {} }).experiment.mode, "live");
    assert.match(
      problemWith(`${MODEL}transport: kafka\nexperiment: { mode: lockstep }\n`),
      /experiment\.mode: expected "live" with transport "kafka" \(lockstep needs "in-process"\)/,
    );
  },
});

Deno.test({
  name: "partition report windows need a stream-time cadence and a live experiment",
  permissions: parsing,
  fn() {
    assert.equal(parseConfig(MODEL, "t.yaml", { env: {} }).engine.reportBy, "engine");
    const merged = parseConfig(`${MODEL}engine: { reportBy: partition }\n`, "t.yaml", { env: {} });
    assert.deepEqual(merged.engine.report, { everyStreamMs: 604_800_000 });
    assert.match(
      problemWith(`${MODEL}engine: { reportBy: partition, report: { everyEvents: 500 } }\n`),
      /engine\.reportBy: expected "engine" with report\.everyEvents \(partition windows need report\.everyStreamMs\)/,
    );
    assert.match(
      problemWith(`${MODEL}engine: { reportBy: partition }\nexperiment: { mode: lockstep }\n`),
      /engine\.reportBy: expected "engine" with experiment\.mode "lockstep"/,
    );
    assert.match(
      problemWith(`${MODEL}engine: { reportBy: engines }\n`),
      /engine\.reportBy: /,
    );
  },
});

Deno.test({
  name: "a schema registry needs the Kafka transport and an http(s) URL; BACKWARD is the default",
  permissions: parsing,
  fn() {
    const registry = "schemaRegistry: { url: http://127.0.0.1:8081/apis/ccompat/v6 }\n";
    assert.equal(parseConfig(MODEL, "t.yaml", { env: {} }).schemaRegistry, undefined);
    assert.deepEqual(
      parseConfig(`${MODEL}transport: kafka\n${registry}`, "t.yaml", { env: {} }).schemaRegistry,
      {
        url: "http://127.0.0.1:8081/apis/ccompat/v6",
        compatibility: "BACKWARD",
        callTimeoutMs: 10_000,
      },
    );
    assert.match(
      problemWith(`${MODEL}${registry}`),
      /schemaRegistry: expected no schemaRegistry with transport "in-process" \(it frames Kafka records; set transport: kafka\)/,
    );
    assert.match(
      problemWith(`${MODEL}transport: kafka\nschemaRegistry: { url: "localhost:8081" }\n`),
      /schemaRegistry\.url: expected an "http\(s\):\/\/host:port\[\/path\]" URL, got "localhost:8081"/,
    );
    assert.match(
      problemWith(
        `${MODEL}transport: kafka\nschemaRegistry: { url: "http://r:8081", compatibility: NONE }\n`,
      ),
      /schemaRegistry\.compatibility: expected one of "BACKWARD", "BACKWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", got "NONE"/,
    );
  },
});
