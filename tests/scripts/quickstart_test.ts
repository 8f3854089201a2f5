/**
 * README's Kafka quickstart, run as written: its commands are read from README (so the two cannot
 * drift), each in its own process as a user's terminals would be, with the services on free ports
 * and a temporary data folder (through the variables README names for that).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { freePorts } from "../../scripts/services/free_port.ts";
import { eventually, within } from "../fixtures/eventually.ts";
import { ROOT } from "../fixtures/tasks.ts";
import { tempDirForProcess } from "../fixtures/temp_dir.ts";

/** The `deno task ...` lines of the first shell block after README's quickstart heading. */
async function quickstartCommands(): Promise<string[][]> {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const section = readme.split("\n## Kafka quickstart\n")[1];
  assert.ok(section !== undefined, "README has a '## Kafka quickstart' section");
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block !== undefined, "the quickstart has a sh block");
  return block.split("\n").map((line) => line.replace(/#.*$/, "").trim()).filter((line) =>
    line !== ""
  ).map((line) => line.split(/\s+/));
}

/** A command running in the background, with what it printed so far (stdout and stderr). */
interface Terminal {
  words: string[];
  child: Deno.ChildProcess;
  output: { text: string };
}

const dir = tempDirForProcess("retune-quickstart-");
const [kafkaPort, etcdPort] = pickPortPairs();
const env = {
  RETUNE_KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
  RETUNE_ETCD_ENDPOINTS: `http://127.0.0.1:${etcdPort}`,
  RETUNE_SERVICES_DIR: join(dir, "services"),
  NO_COLOR: "1",
};

/** Two free ports, each with its next port free too (the controller's and the peer's). */
function pickPortPairs(): [number, number] {
  const pairs: number[] = [];
  while (pairs.length < 2) {
    const [port] = freePorts(1);
    const overlaps = pairs.some((taken) => Math.abs(taken - port) <= 1);
    if (!overlaps && isFree(port + 1)) pairs.push(port);
  }
  return [pairs[0], pairs[1]];
}

function isFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/** Starts `words` (a `deno task ...` line) from the repository root, as a terminal would. */
function open(words: string[]): Terminal {
  assert.deepEqual(words.slice(0, 2), ["deno", "task"], `not a deno task line: ${words.join(" ")}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: words.slice(1),
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = { text: "" };
  for (const stream of [child.stdout, child.stderr]) {
    stream.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (chunk) => void (output.text += chunk) }),
    );
  }
  return { words, child, output };
}

async function finished(terminal: Terminal, deadlineMs: number): Promise<void> {
  const status = await within(terminal.child.status, {
    what: terminal.words.join(" "),
    deadlineMs,
  });
  assert.equal(status.code, 0, `${terminal.words.join(" ")}:\n${tail(terminal)}`);
}

/** Sends `name` to a terminal's command unless it already ended (so a failure is not masked). */
function signal(terminal: Terminal, name: Deno.Signal): void {
  try {
    terminal.child.kill(name);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}

function tail(terminal: Terminal): string {
  return terminal.output.text.split("\n").slice(-30).join("\n");
}

Deno.test("README's Kafka quickstart runs as written: services, topics, roles, teardown", async () => {
  const commands = await quickstartCommands();
  const task = (words: string[]) => words.slice(2, 4).join(" ");
  assert.deepEqual(
    commands.map(task),
    [
      "services ",
      "topics create",
      "start --role=engine",
      "start --role=collector",
      "start --role=observer",
      "start --role=optimiser",
      "start --role=factory",
      "start --role=replayer",
      "teardown --config=deploy/examples/kafka.yaml",
    ].map((t) => t.trim()).map((t) => t),
  );
  const [services, topics, ...rest] = commands;
  const roles = rest.slice(0, 5);
  const [replayer, teardown] = rest.slice(5);

  const servicesTerminal = open(services);
  const running: Terminal[] = [];
  try {
    let servicesExited = false;
    servicesTerminal.child.status.then(() => servicesExited = true);
    await eventually(
      () => {
        const log = servicesTerminal.output.text;
        if (servicesExited) throw new Error(`deno task services ended:\n${log}`);
        return log.includes("services ready");
      },
      { what: "deno task services says the services are ready", deadlineMs: 120_000, everyMs: 200 },
    );
    await finished(open(topics), 60_000);
    for (const role of roles) running.push(open(role));
    await finished(open(replayer), 180_000);
    const engine = running[0];
    await eventually(
      () =>
        assert.match(
          engine.output.text,
          /swapping in".*"version":[1-9]\d*,"method":"(retrain|optimise)"/,
        ),
      { what: "the engine swaps in a model the loop built", deadlineMs: 120_000, everyMs: 500 },
    );
    for (const terminal of running) signal(terminal, "SIGINT");
    for (const terminal of running.splice(0)) await finished(terminal, 60_000);
    await finished(open(teardown), 60_000);
  } finally {
    // deno task passes SIGTERM on to the role (a SIGKILL would end the task runner alone).
    for (const terminal of running) signal(terminal, "SIGTERM");
    for (const terminal of running) await terminal.child.status;
    signal(servicesTerminal, "SIGINT");
    await within(servicesTerminal.child.status, { what: "the services stop", deadlineMs: 60_000 });
  }
  for (const service of ["kafka", "etcd"]) {
    const entries = await Array.fromAsync(Deno.readDir(join(env.RETUNE_SERVICES_DIR, service)));
    assert.ok(entries.length > 0, `${service} kept its data under RETUNE_SERVICES_DIR`);
  }
});
