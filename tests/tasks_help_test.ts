import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./fixtures/tasks.ts";

/** Tasks that are not Retune programs: `check` runs Deno's own fmt, lint and check. */
const NOT_PROGRAMS = ["check"];

Deno.test("every task answers --help with its usage, on stdout, exit code 0", async () => {
  const { tasks } = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const names = Object.keys(tasks).filter((name) => !NOT_PROGRAMS.includes(name));
  for (
    const wanted of [
      "start",
      "topics",
      "compile",
      "experiment",
      "test",
      "cef",
      "bench",
      "chaos",
      "services",
      "conformance",
      "teardown",
    ]
  ) {
    assert.ok(names.includes(wanted), `deno.json has a ${wanted} task`);
  }
  const answers = await Promise.all(names.map(async (name) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", name, "--help"],
      cwd: ROOT,
      stdin: "null",
      env: { NO_COLOR: "1" },
    }).output();
    const decoder = new TextDecoder();
    return {
      name,
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  }));
  for (const { name, code, stdout, stderr } of answers) {
    assert.equal(code, 0, `deno task ${name} --help: exit code ${code}\n${stderr}`);
    assert.match(stdout, new RegExp(`^usage: deno task ${name}\\b`, "i"), `deno task ${name}`);
  }
});
