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
import { defaultConfig, parseConfig } from "../../config/load.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { ROOT, taskCommand } from "../fixtures/tasks.ts";

const probe = fileURLToPath(new URL("./fixtures/permission_probe.ts", import.meta.url));

const embedded: Deployment = {
  storageDir: "/srv/retune",
  modelKind: "cef-pst",
  java: "java",
  hosts: [],
  reads: ["/etc/retune.yaml", "/srv/p.pattern"],
  streams: ["/srv/stream.csv"],
  factoryReads: [],
  env: ["RETUNE_KAFKA_BROKERS", "KAFKA_PASSWORD"],
};
const distributedWayeb: Deployment = {
  ...embedded,
  modelKind: "wayeb",
  hosts: ["10.0.0.5:9092", "etcd.internal:2379"],
  factoryReads: ["/srv/wayeb.jar"],
};

Deno.test("the table gives each role only what it needs", () => {
  assert.deepEqual(
    permissionsFor("engine", distributedWayeb),
    {
      read: ["/etc/retune.yaml", "/srv/p.pattern", "/srv/retune"],
      write: [],
      net: ["10.0.0.5:9092", "etcd.internal:2379", "etcd.internal"],
      env: ["RETUNE_KAFKA_BROKERS", "KAFKA_PASSWORD"],
      sys: true,
      run: [],
    } satisfies PermissionSet,
  );
  assert.deepEqual(permissionsFor("collector", embedded).write, ["/srv/retune"]);
  assert.deepEqual(permissionsFor("observer", embedded).write, []);
  assert.deepEqual(permissionsFor("observer", embedded).read, embedded.reads, "no storage");
  assert.ok(permissionsFor("replayer", embedded).read.includes("/srv/stream.csv"));
  assert.ok(!permissionsFor("engine", embedded).read.includes("/srv/stream.csv"));
  assert.ok(permissionsFor("factory", distributedWayeb).read.includes("/srv/wayeb.jar"));
  assert.deepEqual(
    permissionsFor("factory", embedded).run,
    [],
    "no java unless the model is wayeb",
  );
  assert.deepEqual(permissionsFor("factory", distributedWayeb).run, ["java"]);
  assert.deepEqual(
    permissionsFor("replayer", { ...embedded, summaryPath: "/srv/out/s.json" }).write,
    [
      "/srv/out",
    ],
  );
});

Deno.test("all is the union, and needs no network when everything is in process", () => {
  const all = permissionsFor("all", { ...embedded, modelKind: "wayeb" });
  assert.deepEqual(all.write, ["/srv/retune"]);
  assert.deepEqual(all.net, []);
  assert.deepEqual(all.run, ["java"]);
  assert.ok(all.read.includes("/srv/stream.csv") && all.read.includes("/srv/retune"));
  assert.deepEqual(permissionsFor("all", distributedWayeb).net.length, 3);
});

Deno.test("a role may also listen on its HTTP address, and nothing more", () => {
  const serving = { ...embedded, listen: "127.0.0.1:9464" };
  assert.deepEqual(permissionsFor("all", serving).net, ["127.0.0.1:9464"]);
  assert.ok(denoFlags(permissionsFor("all", serving)).includes("--allow-net=127.0.0.1:9464"));
  assert.deepEqual(permissionsFor("engine", { ...serving, hosts: ["10.0.0.5:9092"] }).net, [
    "10.0.0.5:9092",
    "127.0.0.1:9464",
  ]);
});

Deno.test({
  name: "stores in S3: every role may reach the S3 endpoint, even all in one process",
  permissions: { read: true },
  fn() {
    const config = defaultConfig();
    assert.deepEqual(deploymentOf(config).hosts, []);
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
    assert.deepEqual(deploymentOf(s3).hosts, ["127.0.0.1:8333"]);
    assert.ok(permissionsFor("all", deploymentOf(s3)).net.includes("127.0.0.1:8333"));
    assert.ok(deploymentOf(s3).env.includes("AWS_*"), "the S3 client's default credentials");
  },
});

Deno.test({
  name: "with a schema registry, every role may reach it, and no other host for it",
  permissions: { read: true },
  fn() {
    const config = {
      ...defaultConfig(),
      transport: "kafka" as const,
      schemaRegistry: {
        url: "http://10.0.0.7:8080/apis/ccompat/v6",
        compatibility: "BACKWARD" as const,
        callTimeoutMs: 10_000,
      },
    };
    const deployment = deploymentOf(config);
    assert.deepEqual(deployment.hosts, ["127.0.0.1:9092", "10.0.0.7:8080"]);
    for (const role of SERVICE_ROLES) {
      assert.ok(permissionsFor(role, deployment).net.includes("10.0.0.7:8080"), role);
    }
  },
});

Deno.test("flags grant exactly the set and never prompt", () => {
  const flags = denoFlags(permissionsFor("engine", { ...embedded, hosts: ["127.0.0.1:9092"] }));
  assert.deepEqual(flags, [
    "--no-prompt",
    "--allow-read=/etc/retune.yaml,/srv/p.pattern,/srv/retune",
    "--allow-net=127.0.0.1:9092",
    "--allow-env=RETUNE_KAFKA_BROKERS,KAFKA_PASSWORD",
    "--allow-sys",
  ]);
});

Deno.test({
  name: "a configuration's deployment names its hosts, files and secret variables",
  permissions: { read: true, env: true },
  fn() {
    const config = parseConfig(
      JSON.stringify({
        transport: "kafka",
        kafka: {
          brokers: ["10.0.0.5:9092"],
          ssl: { ca: "ca.pem" },
          sasl: { mechanism: "plain", username: "u", password: "${KAFKA_PW}" },
        },
        etcd: {
          endpoints: ["https://etcd.internal"],
          auth: { username: "${ETCD_USER}", password: "p" },
        },
        model: { pattern: "p.pattern", source: { domain: "maritime" } },
        replayer: { file: "in.csv" },
      }),
      "/srv/conf/retune.yaml",
      { env: { KAFKA_PW: "x", ETCD_USER: "root" } },
    );
    const deployment = deploymentOf(config, {
      configPath: "/srv/conf/retune.yaml",
      env: (name) => name === "KAFKA_PW_FILE" ? "/run/secrets/kafka" : undefined,
    });
    assert.deepEqual(deployment.hosts, ["10.0.0.5:9092", "etcd.internal:443"]);
    assert.deepEqual(deployment.reads.slice(0, 4), [
      "/srv/conf/retune.yaml",
      "/srv/conf/p.pattern",
      "/srv/conf/ca.pem",
      "/run/secrets/kafka",
    ]);
    assert.deepEqual(deployment.streams, ["/srv/conf/in.csv"]);
    for (const name of ["KAFKA_PW", "KAFKA_PW_FILE", "ETCD_USER", "ETCD_USER_FILE"]) {
      assert.ok(deployment.env.includes(name), name);
    }
    assert.ok(!deployment.env.includes("HOME"));
  },
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
  name: "every role loads the platformatic Kafka client under its scoped permissions, when chosen",
  permissions: { ...subprocess, env: true },
  async fn() {
    const kafka = (client: string) =>
      deploymentOf(parseConfig(
        JSON.stringify({
          transport: "kafka",
          kafka: { brokers: ["10.0.0.5:9092"], client },
          model: { pattern: "p.pattern", source: { domain: "maritime" } },
        }),
        "/srv/conf/retune.yaml",
      ));
    const wasm = (deployment: Deployment) => deployment.reads.filter((path) => /wasm/.test(path));
    assert.deepEqual(wasm(kafka("kafkajs")), [], "kafkajs reads no WebAssembly");
    const deployment = kafka("platformatic");
    assert.equal(wasm(deployment).length, 1, deployment.reads.join(", "));
    for (const role of SERVICE_ROLES) {
      const result = await runProbe(
        denoFlags(permissionsFor(role, deployment)),
        "load-platformatic",
      );
      assert.deepEqual(result, { ok: true }, `${role}: ${JSON.stringify(result)}`);
    }
  },
});

Deno.test({
  name: "a serving replica reads artifacts, and may not write them, read the stream or run java",
  permissions: subprocess,
  async fn() {
    const storage = await Deno.makeTempDir({ prefix: "retune-perm-" });
    try {
      const deployment = {
        ...distributedWayeb,
        storageDir: storage,
        streams: [join(storage, "..")],
      };
      assert.deepEqual(
        permissionsFor("serving", { ...embedded, storageDir: storage }),
        {
          read: ["/etc/retune.yaml", "/srv/p.pattern", storage],
          write: [],
          net: [],
          env: embedded.env,
          sys: true,
          run: [],
        } satisfies PermissionSet,
      );
      const artifact = join(storage, "v0.json");
      await Deno.writeTextFile(artifact, "{}");
      const flags = denoFlags(permissionsFor("serving", deployment));
      const results = await runProbe(
        flags,
        "many",
        JSON.stringify([
          ["read", artifact],
          ["write", join(storage, "v1.json")],
          ["read", "/etc/hostname"],
        ]),
      ) as unknown as ProbeResult[];
      assert.deepEqual(results.map((r) => r.ok ? "ok" : r.error), [
        "ok",
        "NotCapable",
        "NotCapable",
      ]);
      assertRefused(await runProbe(flags, "run-java") as ProbeResult, /run access to "java"/);
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
  name:
    "main.ts started with the launcher's broad flags revokes java from an engine: a clear Wayeb error",
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

Deno.test({
  name: "each role is refused every file, host, port and variable its configuration does not name",
  permissions: { ...subprocess, net: true },
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "retune-perm-" });
    const allowed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const other = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const accept = (listener: Deno.Listener) =>
      (async () => {
        for await (const connection of listener) connection.close();
      })();
    const serving = [accept(allowed), accept(other)];
    try {
      const storage = join(dir, "storage");
      await Deno.mkdir(storage);
      const config = join(dir, "retune.yaml");
      const outside = join(dir, "outside.txt");
      await Deno.writeTextFile(config, "{}");
      await Deno.writeTextFile(outside, "not for roles");
      const port = (allowed.addr as Deno.NetAddr).port;
      const otherPort = (other.addr as Deno.NetAddr).port;
      const deployment: Deployment = {
        ...embedded,
        storageDir: storage,
        hosts: [`127.0.0.1:${port}`],
        reads: [config],
        streams: [],
        env: ["RETUNE_TEST_NAMED"],
      };
      const steps = [
        ["read", "/etc/shadow"],
        ["read", outside],
        ["connect", "127.0.0.1", String(otherPort)],
        ["connect", "127.0.0.2", String(port)],
        ["env", "HOME"],
        ["write", join(dir, "written.txt")],
        ["read", config],
        ["connect", "127.0.0.1", String(port)],
        ["env", "RETUNE_TEST_NAMED"],
        ["write", join(storage, "bucket")],
      ];
      for (const role of SERVICE_ROLES) {
        const flags = denoFlags(permissionsFor(role, deployment));
        const results = await runProbe(
          flags,
          "many",
          JSON.stringify(steps),
        ) as unknown as ProbeResult[];
        const refused = results.map((r) => r.ok ? "ok" : r.error);
        const writes = role === "collector" || role === "factory";
        assert.deepEqual(refused, [
          "NotCapable",
          "NotCapable",
          "NotCapable",
          "NotCapable",
          "NotCapable",
          "NotCapable",
          "ok",
          "ok",
          "ok",
          writes ? "ok" : "NotCapable",
        ], `${role}: ${JSON.stringify(results)}`);
      }
    } finally {
      allowed.close();
      other.close();
      await Promise.allSettled(serving);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
