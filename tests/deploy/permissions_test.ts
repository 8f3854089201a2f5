import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  denoFlags,
  type Deployment,
  deploymentOf,
  type PermissionSet,
  permissionsFor,
} from "../../deploy/permissions.ts";
import { defaultConfig } from "../../config/load.ts";
import { ROOT, taskCommand } from "../fixtures/tasks.ts";

const probe = fileURLToPath(new URL("./fixtures/permission_probe.ts", import.meta.url));

const embedded: Deployment = {
  storageDir: "/srv/retune",
  modelKind: "cef-pst",
  java: "java",
  usesNetwork: false,
};
const distributedWayeb: Deployment = { ...embedded, modelKind: "wayeb", usesNetwork: true };

Deno.test("the table gives each role only what it needs", () => {
  const engine = permissionsFor("engine", distributedWayeb);
  assert.deepEqual(
    engine,
    {
      read: true,
      write: [],
      net: true,
      listen: [],
      env: true,
      sys: true,
      run: [],
    } satisfies PermissionSet,
  );
  assert.deepEqual(permissionsFor("collector", embedded).write, ["/srv/retune"]);
  assert.deepEqual(permissionsFor("observer", embedded).write, []);
  assert.deepEqual(
    permissionsFor("factory", embedded).run,
    [],
    "no java unless the model is wayeb",
  );
  assert.deepEqual(permissionsFor("factory", distributedWayeb).run, ["java"]);
  assert.deepEqual(permissionsFor("replayer", { ...embedded, summaryPath: "/tmp/s.json" }).write, [
    "/tmp/s.json",
  ]);
});

Deno.test("all is the union, and needs no network when everything is in process", () => {
  const all = permissionsFor("all", { ...embedded, modelKind: "wayeb" });
  assert.deepEqual(all, {
    read: true,
    write: ["/srv/retune"],
    net: false,
    listen: [],
    env: true,
    sys: true,
    run: ["java"],
  });
  assert.equal(permissionsFor("all", distributedWayeb).net, true);
});

Deno.test("an in-process all may only listen on its HTTP address; a networked role needs no extra", () => {
  const serving = { ...embedded, listen: "127.0.0.1:9464" };
  assert.deepEqual(permissionsFor("all", serving).listen, ["127.0.0.1:9464"]);
  assert.ok(denoFlags(permissionsFor("all", serving)).includes("--allow-net=127.0.0.1:9464"));
  assert.deepEqual(permissionsFor("engine", serving).listen, [], "its --allow-net covers it");
});

Deno.test({
  name: "stores in S3 need the network even with every role in one process",
  permissions: { read: true },
  fn() {
    const config = defaultConfig();
    assert.equal(deploymentOf(config).usesNetwork, false);
    const s3 = {
      ...config,
      storage: {
        ...config.storage,
        kind: "s3" as const,
        s3: {
          endpoint: "http://127.0.0.1:8333",
          region: "us-east-1",
          bucket: "retune",
          prefix: "retune/",
          accessKeyId: null,
          secretAccessKey: null,
          forcePathStyle: true,
        },
      },
    };
    assert.equal(permissionsFor("all", deploymentOf(s3)).net, true);
  },
});

Deno.test("flags grant exactly the set and never prompt", () => {
  assert.deepEqual(denoFlags(permissionsFor("factory", distributedWayeb)), [
    "--no-prompt",
    "--allow-read",
    "--allow-write=/srv/retune",
    "--allow-net",
    "--allow-env",
    "--allow-sys",
    "--allow-run=java",
  ]);
  assert.deepEqual(denoFlags(permissionsFor("engine", embedded)), [
    "--no-prompt",
    "--allow-read",
    "--allow-net",
    "--allow-env",
    "--allow-sys",
  ]);
});

type ProbeResult = { ok: true } | { ok: false; error: string; message: string };

/** Runs the probe under `flags` and returns its JSON report. */
async function runProbe(flags: string[], ...args: string[]): Promise<Record<string, unknown>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, probe, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(output.success, `probe failed: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

function assertRefused(result: ProbeResult, what: RegExp): void {
  assert.equal(result.ok, false, "the action should have been refused");
  if (result.ok) return;
  assert.equal(result.error, "NotCapable");
  assert.match(result.message, what);
}

const subprocess = { run: [Deno.execPath()], read: true, write: true };

Deno.test({
  name: "a process with the engine's flags cannot run java or write anywhere",
  permissions: subprocess,
  async fn() {
    const storage = await Deno.makeTempDir({ prefix: "retune-perm-" });
    try {
      const flags = denoFlags(
        permissionsFor("engine", { ...distributedWayeb, storageDir: storage }),
      );
      assertRefused(await runProbe(flags, "run-java") as ProbeResult, /run access to "java"/);
      assertRefused(
        await runProbe(flags, "write", join(storage, "x")) as ProbeResult,
        /write access/,
      );
    } finally {
      await Deno.remove(storage, { recursive: true });
    }
  },
});

Deno.test({
  name: "the factory writes only in its storage folder and runs java only for wayeb",
  permissions: subprocess,
  async fn() {
    const storage = await Deno.makeTempDir({ prefix: "retune-perm-" });
    const elsewhere = await Deno.makeTempDir({ prefix: "retune-perm-other-" });
    try {
      const native = denoFlags(permissionsFor("factory", { ...embedded, storageDir: storage }));
      assert.deepEqual(await runProbe(native, "write", join(storage, "artifact")), { ok: true });
      assertRefused(
        await runProbe(native, "write", join(elsewhere, "artifact")) as ProbeResult,
        /write access to ".*retune-perm-other-/,
      );
      assertRefused(await runProbe(native, "run-java") as ProbeResult, /run access to "java"/);

      const wayeb = denoFlags(
        permissionsFor("factory", { ...distributedWayeb, storageDir: storage }),
      );
      const ran = await runProbe(wayeb, "run-java") as ProbeResult;
      // Allowed to try; a machine without java answers NotFound, never NotCapable.
      assert.ok(ran.ok || ran.error === "NotFound", JSON.stringify(ran));
    } finally {
      await Deno.remove(storage, { recursive: true });
      await Deno.remove(elsewhere, { recursive: true });
    }
  },
});

Deno.test({
  name: "revokeUnneeded takes run and write away from an engine started with the union",
  permissions: subprocess,
  async fn() {
    const storage = await Deno.makeTempDir({ prefix: "retune-perm-" });
    try {
      const deployment = { ...distributedWayeb, storageDir: storage };
      const union = denoFlags(permissionsFor("all", deployment));
      assert.ok(union.includes("--allow-run=java"));
      const report = await runProbe(union, "revoke-then-run", "engine", JSON.stringify(deployment));
      assert.deepEqual(report.revoked, ["write", "run"]);
      assert.ok(["prompt", "denied"].includes(report.run as string), `run is ${report.run}`);
      assert.ok(["prompt", "denied"].includes(report.write as string), `write is ${report.write}`);
      assertRefused(report.attempt as ProbeResult, /run access to "java"/);
    } finally {
      await Deno.remove(storage, { recursive: true });
    }
  },
});

Deno.test({
  name: "main.ts run by the start task as an engine is refused java with a clear Wayeb error",
  permissions: subprocess,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "retune-perm-" });
    try {
      const maritime = join(ROOT, "deploy/examples/maritime");
      const jar = join(dir, "wayeb.jar");
      await Deno.writeTextFile(jar, "");
      await Deno.writeTextFile(
        join(dir, "retune.yaml"),
        JSON.stringify({
          model: {
            kind: "wayeb",
            wayeb: { jar },
            pattern: join(maritime, "port_entering.pattern"),
            declarations: join(maritime, "port_entering.declarations"),
            source: { domain: "maritime" },
          },
        }),
      );
      const command = await taskCommand("start", {
        cwd: dir,
        script: probe,
        args: ["main-then-wayeb", jar, "--role=engine", "--config=retune.yaml", "--http-port=0"],
      });
      const output = await command.output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.ok(output.success, `probe failed: ${stderr}`);
      const report = JSON.parse(new TextDecoder().decode(output.stdout));
      assert.equal(report.exitCode, null, `main ended early: ${stderr}`);
      assert.notEqual(report.run, "granted");
      assert.deepEqual(report.attempt, {
        ok: false,
        error: "WayebError",
        message: "cannot run Wayeb: this process may not run 'java' (it needs --allow-run=java)",
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
