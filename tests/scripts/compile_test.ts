import assert from "node:assert/strict";
import { join } from "node:path";
import { compileArgs, compileFailure } from "../../scripts/compile.ts";
import { defaultConfig } from "../../config/load.ts";
import { ROOT, taskCommand } from "../fixtures/tasks.ts";

/** deno compile 2.9's output when dl.deno.land cannot be reached (NO_COLOR). */
const OFFLINE = `Check main.ts
Compile main.ts to out/retune-engine
Download https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip
error: Writing deno compile executable to temporary file 'out/retune-engine.tmp-464af3df4f199592'

Caused by:
    0: Setting up base binary.
    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known
    2: client error (Connect)
    3: dns error
    4: failed to lookup address information: Name or service not known

Stack backtrace:
   0: <unknown>
`;

/** deno compile 2.9's output for a program that does not type-check. */
const TYPE_ERROR = `Check bad.ts
TS2322 [ERROR]: Type 'string' is not assignable to type 'number'.
const x: number = "a";
      ^
    at file:///tmp/bad.ts:1:7

error: Type checking failed.

  info: The program failed type-checking, but it still might work correctly.

Stack backtrace:
   0: <unknown>
`;

Deno.test("an unreachable dl.deno.land is named with the runtime's URL and the network error", () => {
  assert.deepEqual(compileFailure(OFFLINE), {
    reason: "cannot download the Deno runtime from " +
      "https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip: " +
      "failed to lookup address information: Name or service not known",
    runtimeMissing: true,
  });
});

Deno.test("other failures keep deno's error line with the deepest cause or first type error", () => {
  assert.deepEqual(compileFailure(TYPE_ERROR), {
    reason: "Type checking failed. First error: TS2322 Type 'string' is not assignable to type " +
      "'number'. at file:///tmp/bad.ts:1:7",
    runtimeMissing: false,
  });
  assert.deepEqual(
    compileFailure("error: Writing out/x\n\nCaused by:\n    0: Permission denied (os error 13)\n"),
    { reason: "Writing out/x: Permission denied (os error 13)", runtimeMissing: false },
  );
  assert.equal(compileFailure("").reason, "no error output");
});

Deno.test("a role's binary gets its least permissions and its role as first argument", () => {
  const config = defaultConfig();
  const args = compileArgs("engine", config, "retune.yaml");
  assert.deepEqual(args.slice(0, 2), ["compile", "--no-prompt"]);
  const read = args[2].replace(/^--allow-read=/, "").split(",");
  assert.deepEqual(read.slice(0, 3), [
    "retune.yaml",
    config.model.pattern,
    config.model.declarations,
  ]);
  assert.ok(read.includes(config.storage.dir), "the engine reads artifacts");
  assert.equal(args[3], "--allow-net=127.0.0.1:9464", "embedded: only its HTTP address");
  assert.match(args[4], /^--allow-env=RETUNE_KAFKA_BROKERS,/);
  assert.equal(args[5], "--allow-sys");
  assert.ok(!args.some((arg) => /^--allow-(write|run)/.test(arg)));
  assert.deepEqual(args.slice(6), [
    "--output",
    "out/retune-engine",
    join(ROOT, "main.ts"),
    "--role=engine",
  ]);
});

Deno.test("the binaries of roles that start workers embed the worker modules", () => {
  const included = (role: Parameters<typeof compileArgs>[0]) => {
    const args = compileArgs(role, defaultConfig());
    return args.flatMap((arg, i) => (arg === "--include" ? [args[i + 1]] : []));
  };
  const factory = ["actors/factory/training_worker.ts", "actors/factory/assembly_worker.ts"];
  const replayer = ["actors/replayer/slice_worker.ts"];
  assert.deepEqual(included("factory"), factory.map((path) => join(ROOT, path)));
  assert.deepEqual(included("replayer"), replayer.map((path) => join(ROOT, path)));
  assert.deepEqual(included("all"), [...factory, ...replayer].map((path) => join(ROOT, path)));
  assert.deepEqual(included("engine"), []);
  for (const path of [...factory, ...replayer]) Deno.statSync(join(ROOT, path));
});

Deno.test({
  name: "without a runtime, deno task compile fails with one line per role naming why",
  permissions: { read: true, write: true, run: [Deno.execPath()] },
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "retune-compile-" });
    try {
      const command = await taskCommand("compile", {
        cwd: dir,
        script: join(ROOT, "scripts/compile.ts"),
        args: [],
        // Deterministic with or without network: deno compile takes the runtime from here.
        env: { DENORT_BIN: join(dir, "no-denort") },
      });
      const output = await command.output();
      const stdout = new TextDecoder().decode(output.stdout);
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 1, stderr);
      assert.equal(stdout, "0 of 8 binaries compiled\n");
      const lines = stderr.trimEnd().split("\n");
      const missing = `DENORT_BIN names no runtime binary: '${join(dir, "no-denort")}' ` +
        `(No such file or directory (os error 2))`;
      assert.deepEqual(lines.slice(0, 8), [
        `engine: FAILED: ${missing}`,
        ...["collector", "observer", "optimiser", "factory", "replayer", "serving", "all"].map((
          role,
        ) => `${role}: FAILED: not attempted, ${missing}`),
      ]);
      assert.match(lines[8], /set DENORT_BIN to a denort binary/);
      assert.equal(lines.length, 9);
      await assert.rejects(Deno.stat(join(dir, "out/retune-engine")), Deno.errors.NotFound);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
