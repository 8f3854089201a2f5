/**
 * Retune against real secured services: Kafka with SASL (PLAIN, SCRAM) in plain text and over
 * TLS, etcd with TLS and a password. Secrets come from the environment or a *_FILE; a wrong one
 * ends the process with one line naming what refused, where, and what to check, and no output
 * ever holds a secret.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { parseConfig } from "../config/load.ts";
import { kafkaSecurity } from "../config/client_security.ts";
import { KafkaTransport } from "../transport/kafka.ts";
import { MAIN, ROOT, taskCommand } from "./fixtures/tasks.ts";
import { ETCD_ROOT_PASSWORD, KAFKA_USER, securedServices } from "./fixtures/secured_services.ts";
import { uniqueName } from "./fixtures/services.ts";

const MARITIME = join(ROOT, "deploy/examples/maritime");

/** A working folder with a short stream and `retune.yaml` holding `sections`. */
async function workspace(sections: Record<string, unknown>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "retune-secured-" });
  const rows = (await Deno.readTextFile(join(MARITIME, "vessel_227592820.csv")))
    .split("\n").slice(0, 2_000);
  await Deno.writeTextFile(join(dir, "vessel.csv"), rows.join("\n") + "\n");
  const config = {
    // Errors only: the process's last words are its one failure line.
    logging: { level: "error" },
    storage: { dir: ".retune" },
    model: {
      pattern: join(MARITIME, "port_entering.pattern"),
      declarations: join(MARITIME, "port_entering.declarations"),
      source: { domain: "maritime" },
      initialTraining: { events: 500 },
    },
    replayer: { file: "vessel.csv" },
    ...sections,
  };
  await Deno.writeTextFile(join(dir, "retune.yaml"), JSON.stringify(config, null, 2));
  return dir;
}

/** Runs main.ts in `dir` with `env` added; its exit code and output. */
async function runMain(dir: string, env: Record<string, string>, ...args: string[]) {
  const output = await (await taskCommand("start", { cwd: dir, script: MAIN, args, env }))
    .output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** Asserts `text` holds none of the passwords. */
function assertNoSecret(text: string): void {
  for (const secret of [ETCD_ROOT_PASSWORD, KAFKA_USER.password, "wrong-pw"]) {
    assert.equal(text.includes(secret), false, `output holds a secret: ${text}`);
  }
}

Deno.test({
  name: "the Kafka client of a configuration publishes over SASL_SSL (SCRAM) and SASL_PLAINTEXT",
  async fn() {
    const services = await securedServices();
    const env: Record<string, string> = { KAFKA_PASSWORD: KAFKA_USER.password };
    const cases = [
      { broker: services.kafka.ssl, mechanism: "scram-sha-512", ssl: { ca: "ca.pem" } },
      { broker: services.kafka.ssl, mechanism: "scram-sha-256", ssl: { ca: "ca.pem" } },
      { broker: services.kafka.plaintext, mechanism: "plain", ssl: undefined },
    ];
    for (const { broker, mechanism, ssl } of cases) {
      const config = parseConfig(
        JSON.stringify({
          transport: "kafka",
          kafka: {
            brokers: [broker],
            ssl,
            sasl: { mechanism, username: KAFKA_USER.name, password: "${KAFKA_PASSWORD}" },
          },
          model: { pattern: "p", source: { domain: "maritime" } },
        }),
        join(services.certificates.ca, "..", "retune.yaml"),
        { env },
      );
      const transport = new KafkaTransport({
        brokers: config.kafka.brokers,
        ...kafkaSecurity(config.kafka, { env: (name) => env[name] }),
      });
      try {
        await transport.publish(uniqueName(`secured-${mechanism}`), [{
          key: "k",
          value: new TextEncoder().encode("v"),
        }]);
      } finally {
        await transport.close();
      }
    }
  },
});

Deno.test({
  name: "main runs to its end on etcd over TLS with the password from ETCD_PASSWORD_FILE",
  async fn() {
    const services = await securedServices();
    const dir = await workspace({
      etcd: {
        endpoints: [services.etcd],
        namespace: uniqueName("secured"),
        auth: { username: "root", password: "${ETCD_PASSWORD}" },
        tls: { ca: services.certificates.ca },
      },
    });
    try {
      await Deno.writeTextFile(join(dir, "etcd_password"), `${ETCD_ROOT_PASSWORD}\n`);
      const env = {
        ETCD_PASSWORD_FILE: join(dir, "etcd_password"),
        RETUNE_ETCD_ENDPOINTS: services.etcd,
      };
      const ok = await runMain(dir, env, "--config=retune.yaml", "--exit-at-end");
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /^events in 2000/m);
      assertNoSecret(ok.stdout + ok.stderr);

      const wrong = await runMain(
        dir,
        { ETCD_PASSWORD: "wrong-pw", RETUNE_ETCD_ENDPOINTS: services.etcd },
        "--config=retune.yaml",
        "--exit-at-end",
      );
      assert.equal(wrong.code, 1, wrong.stderr);
      const lines = wrong.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, wrong.stderr);
      assert.match(
        lines[0],
        new RegExp(
          `^retune: all: (role '\\w+' stopped: )?etcd at ${services.etcd} refused the client \\(.*authentication failed.*\\); check etcd\\.auth and etcd\\.tls`,
        ),
      );
      assertNoSecret(wrong.stdout + wrong.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a wrong Kafka password ends a role with one line naming Kafka, where, and what to check",
  async fn() {
    const services = await securedServices();
    const dir = await workspace({
      transport: "kafka",
      kafka: {
        brokers: [services.kafka.ssl],
        clientId: uniqueName("secured"),
        ssl: { ca: services.certificates.ca },
        sasl: { mechanism: "scram-sha-256", username: KAFKA_USER.name, password: "${KAFKA_PW}" },
      },
    });
    try {
      const started = performance.now();
      const wrong = await runMain(
        dir,
        { KAFKA_PW: "wrong-pw", RETUNE_KAFKA_BROKERS: services.kafka.ssl },
        "--role=engine",
        "--config=retune.yaml",
      );
      const seconds = (performance.now() - started) / 1000;
      assert.equal(wrong.code, 1, wrong.stderr);
      assert.ok(seconds < 30, `gave up after ${seconds} s: not one attempt but a retry loop`);
      // A client may log the refusal at error level too; the process ends with one failure line.
      const lines = wrong.stderr.trimEnd().split("\n");
      assert.equal(lines.filter((line) => line.startsWith("retune:")).length, 1, wrong.stderr);
      assert.match(
        lines.at(-1)!,
        new RegExp(
          `^retune: engine: Kafka at ${services.kafka.ssl} refused the client \\(.*SASL.*authentication failed.*\\); check kafka\\.ssl and kafka\\.sasl`,
        ),
      );
      assertNoSecret(wrong.stdout + wrong.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
