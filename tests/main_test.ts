/**
 * `main.ts` end to end, as `deno task start` runs it: a `deno run` subprocess with the start task's
 * permissions, in a temporary working folder holding a trimmed maritime stream.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { MAIN, ROOT, taskCommand } from "./fixtures/tasks.ts";
import { CLOSE_CLIENTS_MS } from "../main.ts";
import { eventually } from "./fixtures/eventually.ts";

const MARITIME = join(ROOT, "deploy/examples/maritime");
/** Good rows in the trimmed stream. */
const ROWS = 3_000;
/** Rows that are not events, one of them past the replayer's first batch of 1,000. */
const BAD_ROWS = ["not a row", "x,227592820,-4.489,48.357,16.7,176.9,178.6,00100000"];
/** Margin for starting deno and building the system, on top of the shutdown deadline. */
const START_MARGIN_MS = 20_000;

/** Every role's default shutdown timeout in turn, then the clients. */
const ALL_ROLES_SHUTDOWN_MS = 6 * 10_000 + CLOSE_CLIENTS_MS;

const subprocess = { read: true, write: true, run: [Deno.execPath()] };

/** A temporary working folder with `vessel.csv` and `retune.yaml` (plus `overrides`). */
async function workspace(overrides: Record<string, unknown> = {}): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "retune-main-" });
  const rows = (await Deno.readTextFile(join(MARITIME, "vessel_227592820.csv")))
    .split("\n").slice(0, ROWS);
  rows.splice(1_000, 0, BAD_ROWS[0]);
  rows.splice(10, 0, BAD_ROWS[1]);
  await Deno.writeTextFile(join(dir, "vessel.csv"), rows.join("\n") + "\n");
  const config = {
    logging: { level: "info", format: "text" },
    // The start task may write only under ./.retune.
    storage: { dir: ".retune" },
    // Other runs may share this host: any free port.
    http: { port: 0 },
    model: {
      pattern: join(MARITIME, "port_entering.pattern"),
      declarations: join(MARITIME, "port_entering.declarations"),
      source: { domain: "maritime" },
      initialTraining: { events: 500 },
    },
    engine: { report: { everyEvents: 500 } },
    collector: { bucket: { byEvents: 500 } },
    optimiser: { initialPoints: 2, evaluations: 3, reuse: 1 },
    replayer: { file: "vessel.csv" },
    ...overrides,
  };
  // JSON is YAML.
  await Deno.writeTextFile(join(dir, "retune.yaml"), JSON.stringify(config, null, 2));
  return dir;
}

/** Runs main.ts in `cwd` to its end. */
async function runMain(cwd: string, ...args: string[]) {
  const output = await (await taskCommand("start", { cwd, script: MAIN, args })).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** Runs `test` in a fresh workspace and removes it afterwards. */
async function inWorkspace(test: (dir: string) => Promise<void>): Promise<void> {
  const dir = await workspace();
  try {
    await test(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "--help prints the usage and exits 0",
  permissions: subprocess,
  fn: () =>
    inWorkspace(async (dir) => {
      const { code, stdout, stderr } = await runMain(dir, "--help");
      assert.equal(code, 0, stderr);
      assert.match(stdout, /^Usage: deno task start \[options\]/);
      assert.match(stdout, /--role=<role> +engine \| collector .* \| all/);
    }),
});

Deno.test({
  name: "an unknown role exits 2 listing the roles",
  permissions: subprocess,
  fn: () =>
    inWorkspace(async (dir) => {
      const { code, stdout, stderr } = await runMain(dir, "--role=optimizer");
      assert.equal(code, 2, stderr);
      assert.equal(stdout, "");
      assert.match(
        stderr,
        /^retune: --role must be one of engine, collector, observer, optimiser, factory, replayer, serving, all: current value is 'optimizer'\nrun with --help for usage\n$/,
      );
    }),
});

Deno.test({
  name: "a missing config file exits 2 naming it",
  permissions: subprocess,
  fn: () =>
    inWorkspace(async (dir) => {
      const { code, stderr } = await runMain(dir, "--config=absent.yaml");
      assert.equal(code, 2, stderr);
      assert.match(stderr, /^retune: --config must name an existing file: 'absent\.yaml' was not/);
    }),
});

Deno.test({
  name: "a config with a bad value exits 2 naming the file, the key and the expected form",
  permissions: subprocess,
  fn: () =>
    inWorkspace(async (dir) => {
      const config = await Deno.readTextFile(join(dir, "retune.yaml"));
      await Deno.writeTextFile(
        join(dir, "bad.yaml"),
        config.replace('"evaluations": 3', '"evaluations": "twenty"'),
      );
      const { code, stderr } = await runMain(dir, "--config=bad.yaml");
      assert.equal(code, 2, stderr);
      assert.equal(
        stderr,
        'retune: bad.yaml: optimiser.evaluations: expected an integer >= 1, got "twenty"\n',
      );
    }),
});

Deno.test({
  name: "the start task grants the role its --summary file wherever it is, and no other write",
  permissions: subprocess,
  fn: () =>
    inWorkspace(async (dir) => {
      await Deno.mkdir(join(dir, "out"));
      const { code, stderr } = await runMain(
        dir,
        "--config=retune.yaml",
        "--exit-at-end",
        "--summary=out/summary.json",
      );
      assert.equal(code, 0, stderr);
      assert.ok((await Deno.stat(join(dir, "out/summary.json"))).isFile);
    }),
});

Deno.test({
  name: "--role=all --exit-at-end replays the input, writes the summary and exits 0",
  permissions: subprocess,
  fn: () =>
    inWorkspace(async (dir) => {
      // A first run: no .retune yet, and the summary's folder is made too.
      const { code, stdout, stderr } = await runMain(
        dir,
        "--role=all",
        "--config=retune.yaml",
        "--exit-at-end",
        "--summary=.retune/runs/first/summary.json",
      );
      assert.equal(code, 0, stderr);
      const summary = JSON.parse(
        await Deno.readTextFile(join(dir, ".retune/runs/first/summary.json")),
      );
      for (
        const key of [
          "events_in",
          "events_processed",
          "dead_letters",
          "forecasts",
          "matches",
          "dataset_versions",
          "buckets_deleted",
          "wall_seconds",
        ]
      ) {
        assert.equal(typeof summary[key], "number", `${key} is ${summary[key]}`);
      }
      assert.equal(summary.events_in, ROWS + BAD_ROWS.length);
      assert.equal(summary.dead_letters, BAD_ROWS.length);
      assert.equal(summary.events_in, summary.events_processed + summary.dead_letters);
      assert.ok(Array.isArray(summary.reports) && summary.reports.length >= 1, "a report per 500");
      assert.ok(Array.isArray(summary.model_versions), "model_versions is a list");
      assert.equal(summary.model_versions[0].method, "initial");
      assert.match(stdout, /^events in 3002, processed 3000, dead letters 2$/m);
      // Each role logs under its own category, strings as plain words.
      assert.match(stderr, / INF retune\.factory: shipped model v0 \(initial\), held-out MCC /);
      assert.match(stderr, / WRN retune\.replayer: bad row dead-lettered: line 1002: /);
    }),
});

Deno.test({
  name: "--summary=- writes the summary as JSON on stdout, the run's lines on stderr",
  permissions: subprocess,
  fn: () =>
    inWorkspace(async (dir) => {
      const { code, stdout, stderr } = await runMain(
        dir,
        "--config=retune.yaml",
        "--exit-at-end",
        "--summary=-",
      );
      assert.equal(code, 0, stderr);
      assert.equal(JSON.parse(stdout).events_in, ROWS + BAD_ROWS.length);
      assert.match(stderr, /^events in 3002, processed 3000, dead letters 2$/m);
    }),
});

Deno.test({
  name: "a storage.dir the role cannot write is refused at start, in one line, exit 2",
  permissions: subprocess,
  fn: async () => {
    const outside = await Deno.makeTempDir({ prefix: "retune-main-storage-" });
    const dir = await workspace({ storage: { dir: join(outside, "buckets") } });
    // A file where the folder should be: granted, yet no folder can be made there.
    await Deno.writeTextFile(join(outside, "buckets"), "");
    try {
      const { code, stderr } = await runMain(dir, "--config=retune.yaml", "--exit-at-end");
      assert.equal(code, 2, stderr);
      assert.match(
        stderr,
        /^retune: all: storage\.dir: cannot write '.*buckets': /,
      );
      assert.equal(stderr.trim().split("\n").length, 1, stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(outside, { recursive: true });
    }
  },
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.test({
    name: `${signal} stops a running --role=all, which serves /readyz, gracefully with exit code 0`,
    permissions: { ...subprocess, net: ["127.0.0.1"] },
    async fn() {
      // 50 events per second: the replay would take a minute.
      const dir = await workspace({
        replayer: { file: "vessel.csv", rate: { kind: "events_per_second", value: 50 } },
      });
      const command = await taskCommand("start", {
        cwd: dir,
        script: MAIN,
        args: ["--role=all", "--config=retune.yaml"],
      });
      const child = command.spawn();
      const stderr = new StreamText(child.stderr);
      const bound = setTimeout(
        () => child.kill("SIGKILL"),
        ALL_ROLES_SHUTDOWN_MS + START_MARGIN_MS,
      );
      try {
        await child.stdout.cancel();
        await stderr.seen(/ INF retune\.all: running .* on http:\/\/127\.0\.0\.1:\d+\//);
        const url = stderr.text.match(/on (http:\/\/127\.0\.0\.1:\d+\/)/)![1];
        await eventually(async () => (await fetch(new URL("readyz", url))).ok, {
          what: "/readyz answers 200",
        });
        assert.doesNotMatch(stderr.text, /replayed \d+ events/, "still replaying");
        child.kill(signal);
        const status = await child.status;
        await stderr.done;
        assert.equal(status.signal, null, `killed by ${status.signal}:\n${stderr.text}`);
        assert.equal(status.code, 0, stderr.text);
        assert.match(stderr.text, new RegExp(`${signal} received: shutting down`));
        assert.match(stderr.text, /supervisor retune stopped/);
      } finally {
        clearTimeout(bound);
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test({
  name: "an HTTP port in use ends the process with one line naming it and --http-port",
  permissions: { ...subprocess, net: ["127.0.0.1"] },
  fn: () =>
    inWorkspace(async (dir) => {
      const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      try {
        const { port } = taken.addr as Deno.NetAddr;
        const { code, stderr } = await runMain(dir, "--config=retune.yaml", `--http-port=${port}`);
        assert.equal(code, 1, stderr);
        assert.match(
          stderr,
          new RegExp(
            `^retune: all: cannot serve HTTP on 127\\.0\\.0\\.1:${port} \\(http\\.hostname, ` +
              `http\\.port\\): .*; pick another with --http-port=<port> \\(0: any free port\\)\n$`,
          ),
        );
      } finally {
        taken.close();
      }
    }),
});

Deno.test({
  name: "one Ctrl-C that reaches the process twice (its process group) counts once",
  permissions: subprocess,
  async fn() {
    const dir = await workspace({
      replayer: { file: "vessel.csv", rate: { kind: "events_per_second", value: 50 } },
    });
    const command = await taskCommand("start", {
      cwd: dir,
      script: MAIN,
      args: ["--role=all", "--config=retune.yaml"],
    });
    const child = command.spawn();
    const stderr = new StreamText(child.stderr);
    const bound = setTimeout(() => child.kill("SIGKILL"), ALL_ROLES_SHUTDOWN_MS + START_MARGIN_MS);
    try {
      await child.stdout.cancel();
      await stderr.seen(/ INF retune\.all: running /);
      // `deno task` forwards the terminal's SIGINT to a child that got it from the terminal too.
      child.kill("SIGINT");
      child.kill("SIGINT");
      const status = await child.status;
      await stderr.done;
      assert.equal(status.code, 0, stderr.text);
      assert.equal(stderr.text.match(/SIGINT received: shutting down/g)?.length, 1, stderr.text);
      assert.doesNotMatch(stderr.text, /second SIGINT/);
    } finally {
      clearTimeout(bound);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "--exit-at-end for a role that serves until stopped exits 2 before anything runs",
  permissions: subprocess,
  fn: () =>
    inWorkspace(async (dir) => {
      const { code, stderr } = await runMain(dir, "--role=engine", "--exit-at-end");
      assert.equal(code, 2, stderr);
      assert.match(stderr, /^retune: --exit-at-end needs a role whose work ends/);
    }),
});

/** Runs main.ts as `--role=engine` against a broker nobody listens on. */
async function engineWithoutBroker(dir: string, ...args: string[]) {
  // The environment overrides the file's brokers (and `deno task test` sets it): both unreachable.
  const unreachable = "127.0.0.1:1";
  const config = JSON.parse(await Deno.readTextFile(join(dir, "retune.yaml")));
  await Deno.writeTextFile(
    join(dir, "kafka.yaml"),
    JSON.stringify({ ...config, transport: "kafka", kafka: { brokers: [unreachable] } }),
  );
  const started = performance.now();
  const output = await (await taskCommand("start", {
    cwd: dir,
    script: MAIN,
    args: ["--role=engine", "--config=kafka.yaml", ...args],
    env: { KAFKA_BROKERS: unreachable, RETUNE_KAFKA_BROKERS: unreachable },
  })).output();
  return {
    code: output.code,
    stderr: new TextDecoder().decode(output.stderr),
    seconds: (performance.now() - started) / 1000,
  };
}

Deno.test({
  name: "an unreachable broker ends the process with one line: what, where, what to do",
  permissions: subprocess,
  fn: () =>
    inWorkspace(async (dir) => {
      const { code, stderr, seconds } = await engineWithoutBroker(dir);
      assert.equal(code, 1, stderr);
      assert.ok(seconds < 60, `gave up after ${seconds} s`);
      const lines = stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, stderr);
      assert.match(
        lines[0],
        /^retune: engine: cannot reach Kafka at 127\.0\.0\.1:1 \(.*ECONNREFUSED.*\); start the broker or fix kafka\.brokers .*--log-level=debug/,
      );

      const debug = await engineWithoutBroker(dir, "--log-level=debug");
      assert.equal(debug.code, 1, debug.stderr);
      assert.match(debug.stderr, /^\s+at /m, "the detail holds the stack");
      assert.match(
        debug.stderr.trimEnd().split("\n").at(-1)!,
        /^retune: engine: cannot reach Kafka/,
      );
    }),
});

/** A stream's text as it arrives. */
class StreamText {
  text = "";
  readonly done: Promise<void>;
  #arrived = Promise.withResolvers<boolean>();

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = this.#read(stream);
  }

  /** Waits until `pattern` appears; fails if the stream ends first. */
  async seen(pattern: RegExp): Promise<void> {
    while (!pattern.test(this.text)) {
      if (!await this.#arrived.promise) {
        assert.fail(`output ended without ${pattern}:\n${this.text}`);
      }
    }
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      this.text += chunk;
      this.#arrived.resolve(true);
      this.#arrived = Promise.withResolvers<boolean>();
    }
    this.#arrived.resolve(false);
  }
}
