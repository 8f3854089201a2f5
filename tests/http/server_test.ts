import assert from "node:assert/strict";
import { HttpServer } from "../../http/server.ts";
import { RetuneSystem } from "../../actors/system.ts";
import { defaultLogger } from "../../logging/logger.ts";
import { testPipeline } from "../actors/fixtures/test_pipeline.ts";
import { eventually } from "../fixtures/eventually.ts";

const permissions: Deno.PermissionOptions = {
  net: ["127.0.0.1"],
  read: true,
  write: true,
  env: true,
  sys: true,
};

/** GETs `path` and returns the status, content type and body. */
async function get(server: HttpServer, path: string) {
  const response = await fetch(new URL(path, server.url));
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    body: await response.text(),
  };
}

Deno.test({
  name: "before a system is attached the server is alive, not ready, and says it is starting",
  permissions,
  async fn() {
    const server = HttpServer.listen({ hostname: "127.0.0.1", port: 0, logger: defaultLogger() });
    try {
      assert.ok(server.port > 0, "port 0 picks a free port");
      assert.equal((await get(server, "/healthz")).status, 200);
      const ready = await get(server, "/readyz");
      assert.equal(ready.status, 503);
      assert.match(ready.body, /"status":"starting"/);
      assert.equal((await get(server, "/nope")).status, 404);
      const page = await get(server, "/");
      assert.match(page.type, /text\/html/);
      assert.match(page.body, /<div id="mcc-chart"/);
      assert.match((await get(server, "/uplot.js")).body, /uPlot/, "uPlot is served locally");
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: "a running system: ready once a model is in use, metrics with lag per partition, " +
    "and a retrain asked for over HTTP reaches the instructions topic",
  permissions,
  async fn() {
    const pipeline = await testPipeline();
    const server = HttpServer.listen({ hostname: "127.0.0.1", port: 0, logger: defaultLogger() });
    const system = await RetuneSystem.build({
      config: pipeline.config,
      roles: ["factory", "engine", "collector", "optimiser", "replayer", "serving"],
      input: pipeline.stream,
      httpUrl: server.url,
    });
    server.attach(system);
    try {
      await system.start();
      await system.waitForEndOfInput();
      await eventually(async () => (await get(server, "/readyz")).status === 200, {
        what: "the process is ready",
      });
      const ready = JSON.parse((await get(server, "/readyz")).body);
      assert.deepEqual(
        ready.checks.map((check: { name: string }) => check.name),
        ["transport", "registry", ...system.roles.map((role) => `role ${role}`)],
      );

      assert.ok(system.reports.length > 0);
      assert.ok(
        system.reports.every((report) => report.lag >= 0),
        `every report carries the input lag from the transport: ${
          system.reports.map((r) => r.lag)
        }`,
      );

      const metrics = await get(server, "/metrics");
      assert.match(metrics.type, /^text\/plain; version=0\.0\.4/);
      const sent = system.view("replayer").sent;
      assert.ok(sent > 0);
      assert.match(
        metrics.body,
        new RegExp(`^retune_events_in_total\\{role="engine"\\} ${sent}$`, "m"),
      );
      assert.match(
        metrics.body,
        new RegExp(`^retune_events_out_total\\{role="replayer"\\} ${sent}$`, "m"),
      );
      assert.match(
        metrics.body,
        /^retune_consumer_lag\{group="engine",topic="retune\.input",partition="0"\} 0$/m,
      );
      assert.match(metrics.body, /^retune_model_version\{role="engine"\} 0$/m);
      assert.match(metrics.body, /^retune_leader\{role="factory"\} 1$/m);
      assert.match(metrics.body, /^retune_mcc\{window="cumulative"\} -?\d/m);
      assert.match(metrics.body, /^retune_model_version_in_use\{model="default"\} 0$/m);
      assert.match(metrics.body, /^retune_model_events_total\{model="default"\} \d+$/m);
      const fleet = JSON.parse((await get(server, "/api/state")).body).fleet;
      assert.deepEqual(fleet.models.map((m: { name: string }) => m.name), ["default"]);
      assert.equal(fleet.queue, null, "one model trains on its factory's own workers");
      const unknown = await fetch(new URL("/api/instructions", server.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ action: "train", model: "north" }),
      });
      assert.equal(unknown.status, 404);
      assert.match(await unknown.text(), /model must be one of the fleet's \(default\): .*"north"/);

      const refused = await fetch(new URL("/api/instructions", server.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ action: "retrain" }),
      });
      assert.equal(refused.status, 400);
      assert.match(await refused.text(), /action must be one of train, optimise: .*"retrain"/);
      const asked = await fetch(new URL("/api/instructions", server.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ action: "train" }),
      });
      assert.equal(asked.status, 202, await asked.text());
      await eventually(() => system.decisions.some((d) => d.sender === "dashboard"), {
        what: "the instruction is seen on the instructions topic",
      });
      assert.match(
        (await get(server, "/metrics")).body,
        /^retune_instructions_total\{action="train",sender="dashboard"\} 1$/m,
      );
      await eventually(async () => {
        const state = JSON.parse((await get(server, "/api/state")).body);
        return state.models.some((model: { method: string }) => model.method === "retrain");
      }, { what: "the retrain ships a model version", deadlineMs: 30_000 });
      // The dashboard lists the serving replica here, routed to once it serves the live version.
      await eventually(async () => {
        const state = JSON.parse((await get(server, "/api/state")).body);
        const retrained = state.models.find((m: { method: string }) => m.method === "retrain");
        assert.equal(state.liveModel, retrained.version);
        assert.deepEqual(retrained.parent, 0);
        assert.deepEqual(
          state.replicas.map((
            r: { address: string; routable: boolean },
          ) => [r.address, r.routable]),
          [[server.url, true]],
        );
      }, { what: "the dashboard routes to the replica serving the retrained version" });
    } finally {
      await system.stop();
      await server.close();
      await pipeline.dispose();
    }
  },
});
