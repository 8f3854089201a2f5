/**
 * `deno task test`: the whole suite in one command on a fresh machine. It first runs
 * `deno task check` (formatting, lint, type-check of every file) and stops there if that fails.
 * Then it installs what the suite runs on when missing (Debian's etcd-server and chromium, the
 * latter for the dashboard's browser test), starts a throwaway Kafka broker, etcd and SeaweedFS
 * S3 gateway (unless `KAFKA_BROKERS` / `ETCD_ENDPOINTS` / `S3_ENDPOINT` name running ones;
 * SeaweedFS is built with Go into `.cache/` the first time), runs `deno test --allow-all tests/`
 * with those variables set (the etcd restart test in a process of its own, see `OWN_PROCESS`),
 * streams its output, stops the services (also on SIGINT / SIGTERM) and exits with deno test's
 * exit code, after printing the line `N passed, N failed` that CI reads.
 *
 * When the whole suite passed, it then runs the short chaos suite (`deno task chaos --short`, a
 * few minutes: every role as its own process under kill -9, an etcd restart and a broker pause)
 * and fails if a chaos check failed.
 *
 * Extra arguments go to deno test; when one of them is an existing path, they replace `tests/`
 * (`deno task test tests/protocol/` runs only that folder) and the check and chaos suite are left
 * out: a targeted run is work in progress.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { startEtcd } from "./services/etcd.ts";
import { startKafka } from "./services/kafka.ts";
import { startSeaweedfs } from "./services/seaweedfs.ts";
import type { RunningService } from "./services/service_process.ts";
import { runRetryingCrash, SEGV_EXIT } from "./test_runner/crash_retry.ts";

/** The counts of deno test's summary line. */
interface TestSummary {
  passed: number;
  failed: number;
}

const SUMMARY = /^(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/;
const EXIT_CODES: Partial<Record<Deno.Signal, number>> = { SIGINT: 130, SIGTERM: 143 };

/** The counts of `line` when it is deno test's summary (`ok | 12 passed | 0 failed (3s)`). */
function parseSummary(line: string): TestSummary | undefined {
  const match = stripVTControlCharacters(line).trim().match(SUMMARY);
  return match === null ? undefined : { passed: Number(match[1]), failed: Number(match[2]) };
}

/** The suite, then (on a whole, passing run) the short chaos suite; the exit code. */
const HELP = `Usage: deno task test [paths and deno test options]

Runs deno task check, then the whole suite (deno test --allow-all tests/) against a throwaway
Kafka and etcd it starts (unless KAFKA_BROKERS / ETCD_ENDPOINTS name running ones), then the
short chaos suite. Given an existing path (deno task test tests/protocol/), runs only those
paths, without the check and the chaos suite. Other arguments go to deno test.

  -h, --help   show this text`;

async function main(args: string[]): Promise<number> {
  if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
    console.log(HELP);
    return 0;
  }
  const code = await suite(args);
  if (code !== 0 || namesPaths(args)) return code;
  return await chaos();
}

/** The chaos suite's seed in a whole run. */
const CI_CHAOS_SEED = 4;

/** Runs `deno task chaos --short`, its output on ours; the exit code, with a line on failure. */
async function chaos(): Promise<number> {
  console.error("--- deno task chaos --short");
  const child = new Deno.Command(Deno.execPath(), {
    // A fixed seed, so every CI run injects the same faults (it kills the replayer and each
    // elected leader during an optimisation and an assembly); any seed reproduces with --seed=N.
    args: ["task", "chaos", "--short", `--seed=${CI_CHAOS_SEED}`],
    cwd: fileURLToPath(new URL("../", import.meta.url)),
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // The suite's listeners record the signal; the chaos run stops its fleet and services on it.
  const forward = (signal: Deno.Signal) => () => {
    try {
      child.kill(signal);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
  };
  const forwards = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const listener = forward(signal);
    Deno.addSignalListener(signal, listener);
    return [signal, listener] as const;
  });
  const { code } = await child.status;
  for (const [signal, listener] of forwards) Deno.removeSignalListener(signal, listener);
  if (code !== 0) {
    console.error(
      `the chaos suite failed (deno task chaos --short --seed=${CI_CHAOS_SEED}, exit code ${code}): ` +
        `see its table above; rerun it with --keep to inspect its logs`,
    );
  }
  return code;
}

/** Starts what the environment does not name, runs the suite, stops them; the exit code. */
async function suite(args: string[]): Promise<number> {
  let tests: Deno.ChildProcess | undefined;
  let interrupted: Deno.Signal | undefined;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      interrupted = signal;
      // To deno test's whole process group, so services its tests started end with it; ours are
      // stopped below, once it has ended.
      try {
        if (tests !== undefined) Deno.kill(-tests.pid, signal);
      } catch (error) {
        // The group already ended: the services are being stopped.
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    });
  }

  if (!namesPaths(args)) {
    if (!await checked()) {
      console.error("deno task check failed (formatting, lint or types, above): no tests were run");
      return 1;
    }
  }
  await installEtcdIfMissing();
  await installChromiumIfMissing();
  const started = await startServices();
  if (started === undefined) return 1;
  try {
    if (interrupted !== undefined) return EXIT_CODES[interrupted]!;
    const total: TestSummary = { passed: 0, failed: 0 };
    let code = 0;
    for (const run of testRuns(args)) {
      const { summary, code: exit } = await runRetryingCrash<TestSummary>(
        async () => {
          tests = new Deno.Command(Deno.execPath(), {
            args: ["test", "--allow-all", ...run],
            env: started.env,
            stdin: "null",
            stdout: "piped",
            stderr: "inherit",
            // A process group of its own, which a signal to us is passed on to whole.
            detached: true,
          }).spawn();
          const summary = await relay(tests.stdout);
          return { summary, code: (await tests.status).code };
        },
        () => interrupted === undefined,
        () =>
          console.error(
            `deno test crashed (SIGSEGV, exit code ${SEGV_EXIT}): running ${run[0]} again`,
          ),
      );
      if (summary === undefined) {
        console.error(`deno test printed no summary line (exit code ${exit})`);
        return interrupted === undefined ? (exit || 1) : EXIT_CODES[interrupted]!;
      }
      total.passed += summary.passed;
      total.failed += summary.failed;
      code ||= exit;
      if (interrupted !== undefined) return EXIT_CODES[interrupted]!;
    }
    console.log(`${total.passed} passed, ${total.failed} failed`);
    return code;
  } finally {
    await Promise.all(started.services.map((service) => service.stop()));
  }
}

/** Runs `deno task check` in the repository, its output on ours; whether it passed. */
async function checked(): Promise<boolean> {
  console.error("--- deno task check");
  const { success } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "check"],
    cwd: fileURLToPath(new URL("../", import.meta.url)),
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return success;
}

/**
 * Installs Debian's `etcd-server` when no `etcd` is on PATH and nobody named a running etcd, so
 * this one command sets up a fresh machine (it needs root and apt, as on CI's machines).
 */
async function installEtcdIfMissing(): Promise<void> {
  if (Deno.env.get("ETCD_ENDPOINTS") || await succeeds("etcd", ["--version"])) return;
  await aptInstall("etcd-server", "etcd is missing", ["--no-install-recommends"]);
}

/** Where the dashboard's browser test finds Chromium (`tests/http/dashboard_browser_test.ts`). */
const CHROMIUM = "/usr/bin/chromium";

/**
 * Installs Debian's `chromium` for the dashboard's browser test when it is missing; with its
 * recommended packages, which bring the fonts the page is drawn with.
 */
async function installChromiumIfMissing(): Promise<void> {
  // Asked of the file system: Debian's launcher script is noisy when run for its version.
  if (await Deno.stat(CHROMIUM).then(() => true, () => false)) return;
  await aptInstall("chromium", `${CHROMIUM} is missing`);
}

/** `apt-get install -y <name>` after an update, saying why; failures show on stderr. */
async function aptInstall(name: string, why: string, options: string[] = []): Promise<void> {
  console.error(`--- ${why}: installing the Debian package ${name}`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  if (!await succeeds("apt-get", ["update", "-qq"], env)) return;
  await succeeds("apt-get", ["install", "-y", "-qq", ...options, name], env);
}

/** Runs a command to its end; whether it started and exited 0. */
async function succeeds(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, {
      args,
      env,
      stdin: "null",
      stdout: "null",
      stderr: "inherit",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/** The services the environment does not name, started side by side; undefined when one failed. */
async function startServices(): Promise<
  { env: Record<string, string>; services: RunningService[] } | undefined
> {
  const wanted = [
    { variable: "KAFKA_BROKERS", name: "Kafka", start: startKafka },
    { variable: "ETCD_ENDPOINTS", name: "etcd", start: startEtcd },
    { variable: "S3_ENDPOINT", name: "SeaweedFS (S3)", start: startSeaweedfs },
  ].filter(({ variable }) => (Deno.env.get(variable) ?? "") === "");
  if (wanted.length > 0) console.error(`starting ${wanted.map((w) => w.name).join(" and ")}...`);
  const outcomes = await Promise.allSettled(wanted.map(({ start }) => start()));
  const env: Record<string, string> = {};
  const services: RunningService[] = [];
  const failures: string[] = [];
  outcomes.forEach((outcome, i) => {
    const { variable, name } = wanted[i];
    if (outcome.status === "fulfilled") {
      env[variable] = outcome.value.endpoints;
      services.push(outcome.value);
      console.error(`${name} is up: ${variable}=${outcome.value.endpoints}`);
    } else {
      failures.push(`${name} could not start: ${(outcome.reason as Error).message}`);
    }
  });
  if (failures.length === 0) return { env, services };
  for (const failure of failures) console.error(failure);
  await Promise.all(services.map((service) => service.stop()));
  return undefined;
}

/**
 * Tests run in a deno test process of their own: those that stop etcd under open gRPC streams.
 * Deno 2.9.6's node:http2 crashes the process (SIGSEGV in a tokio worker) now and then when
 * such streams are cut after many earlier gRPC sessions in the same process (seen in about a
 * quarter of runs after the serving tests, once in a run alone); alone, the test still shows
 * that Retune rides out the restart, and a run the runtime crashed (no summary, SIGSEGV) is made
 * once more.
 */
const OWN_PROCESS = ["tests/registry/etcd_outage_test.ts"];

/** The deno test runs: `args` as given when they name paths, else the suite in two processes. */
function testRuns(args: string[]): string[][] {
  if (namesPaths(args)) return [args];
  const ignore = `--ignore=${OWN_PROCESS.join(",")}`;
  return [["tests/", ignore, ...args], [...OWN_PROCESS, ...args]];
}

/** Whether `args` name test paths of their own. */
function namesPaths(args: string[]): boolean {
  return args.some((arg) => !arg.startsWith("-") && exists(arg));
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Copies deno test's output to ours as it comes; the last summary line seen in it. */
async function relay(output: ReadableStream<Uint8Array>): Promise<TestSummary | undefined> {
  const decoder = new TextDecoder();
  const screen = Deno.stdout.writable.getWriter();
  let summary: TestSummary | undefined;
  let partial = "";
  try {
    for await (const chunk of output) {
      await screen.write(chunk);
      const lines = (partial + decoder.decode(chunk, { stream: true })).split("\n");
      partial = lines.pop()!;
      for (const line of lines) summary = parseSummary(line) ?? summary;
    }
  } finally {
    screen.releaseLock();
  }
  return parseSummary(partial) ?? summary;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
