import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../../config/config_error.ts";
import { parseConfig } from "../../config/load.ts";
import { etcdSecurity, kafkaSecurity } from "../../config/client_security.ts";
import { readSecret, secretFiles, secretVariables } from "../../config/secrets.ts";

/** The yaml package reads these two variables (debug switches) while parsing. */
const parsing = { env: ["LOG_TOKENS", "LOG_STREAM"] };
const MODEL = "model: { pattern: p.pattern, source: { domain: maritime } }\n";
const SECRET = "hunter2-do-not-print";

function configWith(text: string, env: Record<string, string>) {
  return parseConfig(MODEL + text, "retune.yaml", { env });
}

function problemWith(text: string, env: Record<string, string> = {}): string {
  try {
    configWith(text, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.message;
  }
  assert.fail("expected a ConfigError");
}

const SASL = "kafka: { sasl: { mechanism: scram-sha-256, username: retune, " +
  "password: '${KAFKA_PASSWORD}' } }\n";

Deno.test({
  name: "a ${NAME} secret comes from the environment, and the config keeps only the reference",
  permissions: parsing,
  fn() {
    const env = { KAFKA_PASSWORD: SECRET };
    const config = configWith(SASL, env);
    assert.equal(config.kafka.sasl?.password, "${KAFKA_PASSWORD}");
    assert.equal(JSON.stringify(config).includes(SECRET), false);
    const { sasl } = kafkaSecurity(config.kafka, { env: (name) => env[name as keyof typeof env] });
    assert.deepEqual(sasl, { mechanism: "scram-sha-256", username: "retune", password: SECRET });
    assert.deepEqual(secretVariables(config), ["KAFKA_PASSWORD", "KAFKA_PASSWORD_FILE"]);
  },
});

Deno.test({
  name: "an unset NAME is read from the file NAME_FILE names, without its last line break",
  permissions: { ...parsing, read: true, write: true },
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "retune-secret-" });
    try {
      const file = join(dir, "etcd_password");
      await Deno.writeTextFile(file, `${SECRET}\n`);
      const env: Record<string, string> = { ETCD_PASSWORD_FILE: file };
      const lookup = (name: string) => env[name];
      const config = configWith(
        "etcd: { endpoints: ['http://127.0.0.1:2379'], auth: { username: root, " +
          "password: '${ETCD_PASSWORD}' } }\n",
        env,
      );
      assert.deepEqual(etcdSecurity(config.etcd!, { env: lookup }).auth, {
        username: "root",
        password: SECRET,
      });
      assert.deepEqual(secretFiles(config, lookup), [file]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a secret that cannot be had is a config error naming the key and the variable",
  permissions: { ...parsing, read: true },
  fn() {
    assert.equal(
      problemWith(SASL),
      "retune.yaml: kafka.sasl.password: environment variable KAFKA_PASSWORD is not set " +
        "(nor KAFKA_PASSWORD_FILE, a file holding it)",
    );
    assert.match(
      problemWith(SASL, { KAFKA_PASSWORD_FILE: "/nonexistent/secret" }),
      /^retune\.yaml: kafka\.sasl\.password: cannot read the file KAFKA_PASSWORD_FILE names \('\/nonexistent\/secret'\): NotFound$/,
    );
  },
});

Deno.test({
  name: "config errors never quote a secret, wherever it sits",
  permissions: parsing,
  fn() {
    const cases = [
      `kafka: { sasl: { mechanism: gssapi, username: retune, password: ${SECRET} } }`,
      `kafka: { sasl: ${SECRET} }`,
      `kafka: { sasl: { mechanism: plain, username: [${SECRET}], password: x } }`,
      `etcd: { endpoints: ['http://e:2379'], auth: { username: root, password: [${SECRET}] } }`,
      `etcd: { endpoints: ['http://e:2379'], auth: ${SECRET} }`,
      `kafka: { ssl: { ca: 1, password: ${SECRET} } }`,
    ];
    for (const text of cases) {
      const problem = problemWith(`${text}\n`);
      assert.equal(problem.includes(SECRET), false, `${text} gave: ${problem}`);
      assert.match(problem, /^retune\.yaml: (kafka|etcd)\./, problem);
    }
    assert.match(
      problemWith(`kafka: { sasl: { mechanism: gssapi, username: u, password: ${SECRET} } }\n`),
      /kafka\.sasl\.mechanism: expected one of "plain", "scram-sha-256", "scram-sha-512", got "gssapi"/,
    );
  },
});

Deno.test("readSecret takes a literal as the secret and rejects an empty file by name", () => {
  assert.equal(readSecret({ key: "etcd.auth.password", value: "literal" }), "literal");
  const dir = Deno.makeTempDirSync();
  try {
    const file = join(dir, "empty");
    Deno.writeTextFileSync(file, "\n");
    assert.throws(
      () =>
        readSecret({ key: "etcd.auth.password", value: "${P}" }, {
          env: (name) => name === "P_FILE" ? file : undefined,
        }),
      { message: `configuration: etcd.auth.password: the file P_FILE names ('${file}') is empty` },
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test({
  name: "etcd TLS needs https endpoints, and a client certificate needs its key",
  permissions: parsing,
  fn() {
    assert.match(
      problemWith("etcd: { endpoints: ['http://e:2379'], tls: { ca: ca.pem } }\n"),
      /etcd\.endpoints\[0\]: expected an https:\/\/ URL when etcd\.tls is set, got "http:\/\/e:2379"/,
    );
    assert.match(
      problemWith("kafka: { ssl: { cert: c.pem } }\n"),
      /kafka\.ssl\.key: missing: a client certificate needs both cert and key/,
    );
  },
});
