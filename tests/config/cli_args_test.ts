import assert from "node:assert/strict";
import { CliError, type CliOptions, parseCliArgs, usage } from "../../config/cli_args.ts";

/** A file system holding only these paths, all of it writable. */
const only = (...paths: string[]): CliOptions => ({
  exists: (path) => paths.includes(path),
  writable: () => true,
});

/** The CliError the arguments raise. */
function cliError(args: string[], files = only()): CliError {
  try {
    parseCliArgs(args, files);
  } catch (error) {
    assert.ok(error instanceof CliError, `expected a CliError, got ${error}`);
    return error;
  }
  assert.fail("expected a CliError");
}

Deno.test("a full command line parses into a typed run command", () => {
  const command = parseCliArgs(
    [
      "--role=replayer",
      "--config=c.yaml",
      "--input=s.csv",
      "--exit-at-end",
      "--summary=out/s.json",
      "--log-level=debug",
      "--http-port=9470",
    ],
    only("c.yaml", "s.csv", "out"),
  );
  assert.deepEqual(command, {
    kind: "run",
    role: "replayer",
    configPath: "c.yaml",
    inputPath: "s.csv",
    exitAtEnd: true,
    summaryPath: "out/s.json",
    logLevel: "debug",
    httpPort: 9470,
  });
});

Deno.test("no arguments run every role on the built-in configuration", () => {
  assert.deepEqual(parseCliArgs([], only()), {
    kind: "run",
    role: "all",
    configPath: null,
    inputPath: null,
    exitAtEnd: false,
    summaryPath: null,
    logLevel: null,
    httpPort: null,
  });
});

Deno.test("--help wins and usage names every option and role", () => {
  assert.deepEqual(parseCliArgs(["--role=nope", "--help"], only()), { kind: "help" });
  const words = [
    "--role",
    "--config",
    "--input",
    "--exit-at-end",
    "--summary",
    "--log-level",
    "--http-port",
  ];
  for (const word of [...words, "optimiser"]) {
    assert.ok(usage().includes(word), word);
  }
});

Deno.test("an unknown role is a usage error (exit code 2) listing the roles", () => {
  const error = cliError(["--role=optimizer"]);
  assert.equal(error.exitCode, 2);
  assert.match(
    error.message,
    /--role must be one of engine, collector, .*all: current value is 'optimizer'/,
  );
});

Deno.test("--exit-at-end is refused for a role that serves until stopped", () => {
  assert.match(
    cliError(["--role=engine", "--exit-at-end"]).message,
    /--exit-at-end needs a role whose work ends \(replayer, all\); role 'engine' serves/,
  );
  assert.equal(parseCliArgs(["--role=replayer", "--exit-at-end"], only()).kind, "run");
});

Deno.test("an unknown --log-level is a usage error listing the levels", () => {
  assert.match(
    cliError(["--log-level=loud"]).message,
    /--log-level must be one of debug, info, warning, error: current value is 'loud'/,
  );
});

Deno.test("a missing config or input file is a usage error naming it", () => {
  assert.match(
    cliError(["--config=missing.yaml"]).message,
    /--config .*'missing\.yaml' was not found/,
  );
  assert.match(cliError(["--input=gone.csv"]).message, /--input .*'gone\.csv' was not found/);
});

Deno.test("--summary takes a file in a folder yet to be made, or - for stdout", () => {
  const summaryOf = (value: string) => {
    const command = parseCliArgs([`--summary=${value}`], only());
    assert.equal(command.kind, "run");
    return command.summaryPath;
  };
  assert.equal(summaryOf("nowhere/yet/s.json"), "nowhere/yet/s.json");
  assert.equal(summaryOf("-"), "-");
  assert.match(cliError(["--summary="]).message, /--summary must name a file or be -/);
  assert.match(cliError(["--summary=out/"]).message, /current value is 'out\/'/);
});

Deno.test("a --summary file the process may not write is refused before anything runs", () => {
  const error = cliError(["--summary=out/s.json"], {
    exists: (path) => path === "out",
    writable: (path) => path.startsWith(".retune/"),
  });
  assert.equal(error.exitCode, 2);
  assert.match(error.message, /--summary needs write access to 'out\/s\.json'/);
  assert.match(error.message, /deno task start grants a role its --summary file/);
  assert.match(error.message, /--summary=- > out\/s\.json/);
});

Deno.test("unknown options, positionals and --input for a role that ignores it are refused", () => {
  assert.match(cliError(["--rol=engine"]).message, /--rol.*see --help/);
  assert.match(cliError(["engine"]).message, /see --help/);
  assert.match(
    cliError(["--role=engine", "--input=s.csv"], only("s.csv")).message,
    /role 'engine' does not read it/,
  );
});

Deno.test("--http-port takes a port in [0, 65535] and refuses anything else, naming the value", () => {
  assert.equal((parseCliArgs(["--http-port=0"], only()) as { httpPort: number }).httpPort, 0);
  for (const value of ["65536", "-1", "80a", ""]) {
    assert.match(
      cliError([`--http-port=${value}`]).message,
      new RegExp(`--http-port must be an integer in \\[0, 65535\\].*current value is '${value}'`),
    );
  }
});
