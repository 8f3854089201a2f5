/**
 * `launch.ts`, the start task's entry: the `deno run` command it builds for a role is main.ts under
 * that role's scoped flags, never a blanket grant.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { roleCommand } from "../launch.ts";
import { ROOT } from "./fixtures/tasks.ts";

const MARITIME = join(ROOT, "deploy/examples/maritime");

Deno.test({
  name: "the launcher runs main.ts as the role with flags scoped to its configuration",
  permissions: { read: true, write: true, env: true, net: true, sys: true },
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "retune-launch-" });
    try {
      const config = join(dir, "retune.yaml");
      await Deno.writeTextFile(
        config,
        JSON.stringify({
          transport: "kafka",
          kafka: {
            brokers: ["10.1.2.3:9092"],
            sasl: { mechanism: "plain", username: "retune", password: "${LAUNCH_TEST_PW}" },
          },
          etcd: { endpoints: ["http://10.1.2.4:2379"] },
          storage: { dir: join(dir, "storage") },
          model: {
            pattern: join(MARITIME, "port_entering.pattern"),
            source: { domain: "maritime" },
          },
        }),
      );
      Deno.env.set("LAUNCH_TEST_PW", "not-printed");
      // `deno task test` points KAFKA_BROKERS and ETCD_ENDPOINTS at its services; these win.
      Deno.env.set("RETUNE_KAFKA_BROKERS", "10.1.2.3:9092");
      Deno.env.set("RETUNE_ETCD_ENDPOINTS", "http://10.1.2.4:2379");
      const command = await roleCommand(["--role=observer", `--config=${config}`]);
      assert.ok(Array.isArray(command), `no command: ${command}`);
      const flags = command.slice(1, command.indexOf(join(ROOT, "main.ts")));
      assert.equal(command[0], "run");
      assert.deepEqual(command.slice(-2), ["--role=observer", `--config=${config}`]);
      for (const blanket of ["--allow-read", "--allow-net", "--allow-env", "--allow-all", "-A"]) {
        assert.ok(!flags.includes(blanket), `${blanket} in ${flags}`);
      }
      // The brokers, etcd, and the HTTP server's listen address.
      assert.ok(
        flags.includes("--allow-net=10.1.2.3:9092,10.1.2.4:2379,127.0.0.1:9464"),
        flags.join(" "),
      );
      const read = flags.find((flag) => flag.startsWith("--allow-read="))!.split("=")[1];
      assert.ok(read.split(",").includes(config) && !read.includes("storage"), read);
      const env = flags.find((flag) => flag.startsWith("--allow-env="))!;
      assert.match(env, /LAUNCH_TEST_PW,LAUNCH_TEST_PW_FILE/);
      assert.ok(!flags.some((flag) => flag.startsWith("--allow-write")), "observers write nothing");
      assert.ok(!command.join(" ").includes("not-printed"));
    } finally {
      for (const name of ["LAUNCH_TEST_PW", "RETUNE_KAFKA_BROKERS", "RETUNE_ETCD_ENDPOINTS"]) {
        Deno.env.delete(name);
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});
