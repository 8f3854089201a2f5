import assert from "node:assert/strict";
import { etcdEndpoints, kafkaBrokers } from "../fixtures/services.ts";

const BENCH = new URL("../../bench/main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

Deno.test({
  name: "bench pipeline --quick --json prints its table and one JSON object on the last line",
  permissions: "inherit",
  async fn() {
    const [brokers, endpoints] = [await kafkaBrokers(), await etcdEndpoints()];
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `--config=${CONFIG}`, BENCH, "pipeline", "--", "--quick", "--json"],
      env: { KAFKA_BROKERS: brokers.join(","), ETCD_ENDPOINTS: endpoints.join(",") },
      stdin: "null",
    }).output();
    const out = new TextDecoder().decode(stdout);
    assert.equal(code, 0, `${out}\n${new TextDecoder().decode(stderr)}`);
    const lines = out.trimEnd().split("\n");
    // bench/main.ts closes with its own "done" line; the summary is the pipeline's last line.
    const summary = JSON.parse(lines.findLast((line) => line.startsWith("{"))!);
    for (
      const key of [
        "broker_ceiling_eps",
        "embedded_eps",
        "model_in_process_eps",
        "cores",
      ]
    ) {
      assert.ok(typeof summary[key] === "number" && summary[key] > 0, `${key}: ${summary[key]}`);
    }
    for (const client of ["kafkajs", "platformatic"]) {
      assert.ok(summary.client_ceiling_eps[client] > 0, `client_ceiling_eps.${client}`);
    }
    assert.ok(summary.pipeline_eps["1"] > 0, "pipeline_eps for one engine");
    assert.ok("exactly_once_eps" in summary);
    assert.ok(summary.engine_restore_s > 0, `engine_restore_s: ${summary.engine_restore_s}`);
    assert.ok(lines.some((line) => line.startsWith("restore after kill -9")), "a restore line");
    for (const row of ["broker ceiling", "client ceiling kafkajs", "Retune, 1 engine process"]) {
      assert.ok(lines.some((line) => line.startsWith(row)), `a "${row}" row`);
    }
    assert.ok(lines.some((line) => line.includes("exactly once")), "an exactly-once row");
  },
});
