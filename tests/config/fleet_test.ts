import assert from "node:assert/strict";
import { ConfigError } from "../../config/config_error.ts";
import { parseConfig } from "../../config/load.ts";
import { DEFAULT_MODEL, fleetOf } from "../../config/fleet.ts";

const parsing = { env: ["LOG_TOKENS", "LOG_STREAM"] };
const MODEL = "model: { pattern: p.pattern, source: { domain: maritime } }\n";

function problemWith(text: string): string {
  try {
    parseConfig(text, "bad.yaml", { env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.message;
  }
  assert.fail("expected a ConfigError");
}

Deno.test("a configuration without models: is a fleet of one model, the deployment itself", {
  permissions: parsing,
}, () => {
  const config = parseConfig(MODEL, "/etc/retune/one.yaml", { env: {} });
  const fleet = fleetOf(config);
  assert.equal(fleet.length, 1);
  assert.equal(fleet[0].name, DEFAULT_MODEL);
  assert.equal(fleet[0].config, config);
  assert.ok(fleet[0].select("any key"));
});

Deno.test("fleet models inherit the deployment's sections and override some keys", {
  permissions: parsing,
}, () => {
  const config = parseConfig(
    MODEL + "observer: { policy: { kind: trend, k: 5 } }\n" +
      "storage: { dir: /data }\n" +
      "models:\n" +
      "  - { name: north, select: { prefix: n- }, observer: { policy: { guard: 2 } } }\n" +
      "  - name: south\n" +
      "    select: { keys: [s1, s2] }\n" +
      "    model: { pattern: south.pattern, initialParams: { order: 3 } }\n" +
      "    observer: { policy: { kind: difference } }\n" +
      "  - { name: rest, select: { match: '^[0-9]+$' } }\n",
    "/etc/retune/fleet.yaml",
    { env: {} },
  );
  const [north, south, rest] = fleetOf(config);
  assert.deepEqual(north.config.observer.policy, { ...config.observer.policy, guard: 2 });
  assert.equal(south.config.observer.policy.kind, "difference");
  assert.equal(south.config.model.pattern, "/etc/retune/south.pattern");
  assert.equal(south.config.model.initialParams.order, 3);
  assert.equal(south.config.model.initialParams.threshold, config.model.initialParams.threshold);
  assert.deepEqual(rest.config.observer, config.observer);
  assert.equal(north.config.storage.dir, "/data/models/north");
  assert.ok(north.select("n-7") && !north.select("s1"));
  assert.ok(south.select("s2") && !south.select("s3"));
  assert.ok(rest.select("42") && !rest.select("n-4"));
});

Deno.test("a model's setting of one alternative replaces the inherited other; spans re-check", {
  permissions: parsing,
}, () => {
  const config = parseConfig(
    "collector: { bucket: { byStreamMs: 86400000 }, keep: 20, " +
      "schedule: { every: 7d, window: 14d } }\n" +
      "model: { pattern: p.pattern, source: { domain: maritime }, initialTraining: { events: 100 } }\n" +
      "models:\n" +
      "  - { name: a, collector: { bucket: { byEvents: 500 }, schedule: { cron: '0 3 * * 1' } } }\n" +
      "  - { name: b, model: { initialTraining: { span: 2d } } }\n" +
      "  - { name: c, collector: { keep: 30 } }\n",
    "/etc/retune/fleet.yaml",
    { env: {} },
  );
  const [a, b, c] = fleetOf(config);
  assert.deepEqual(a.config.collector.bucket, { byEvents: 500 });
  assert.deepEqual(a.config.collector.schedule, { cron: "0 3 * * 1", window: 14 * 86_400_000 });
  assert.deepEqual({ ...b.config.model.initialTraining }, { file: undefined, spanMs: 172_800_000 });
  assert.deepEqual(c.config.collector.schedule, config.collector.schedule);
  assert.equal(c.config.collector.keep, 30);
});

Deno.test("a bad fleet names the file, the model's key and the expected form", {
  permissions: parsing,
}, () => {
  assert.match(
    problemWith(MODEL + "models: [{ name: a, observer: { policy: { k: 1 } } }]\n"),
    /bad\.yaml: models\[0\]\.observer\.policy\.k: expected an integer >= 2, got 1/,
  );
  assert.match(
    problemWith(MODEL + "models: [{ name: a }, { name: a }]\n"),
    /models\[1\]\.name: expected a name no other model has, got "a" again/,
  );
  assert.match(
    problemWith(MODEL + "models: [{ name: a }, { name: b, factory: { distribute: true } }]\n"),
    /models\[1\]\.factory\.distribute: expected the deployment's factory\.distribute \(false\)/,
  );
  assert.match(
    problemWith(MODEL + "models: [{ name: A }]\n"),
    /models\[0\]\.name: expected a model name/,
  );
  assert.match(
    problemWith(MODEL + "models: [{ name: a, model: { source: { domain: csv } } }]\n"),
    /models\[0\]\.model\.source: every model reads the one stream/,
  );
  assert.match(
    problemWith(MODEL + "models: [{ name: a, select: { prefix: x, keys: [y] } }]\n"),
    /models\[0\]\.select: expected a mapping with one of keys/,
  );
  assert.match(
    problemWith(MODEL + "models: [{ name: a, collector: { keep: 0 } }]\n"),
    /models\[0\]\.collector\.keep: expected an integer >= 1, got 0/,
  );
  assert.match(
    problemWith(
      MODEL + "experiment: { mode: lockstep }\nmodels: [{ name: a }, { name: b }]\n",
    ),
    /experiment\.mode: expected "live" with 2 models/,
  );
});
