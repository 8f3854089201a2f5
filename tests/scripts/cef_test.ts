import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../../scripts/cef.ts";
import { tempDirForProcess } from "../fixtures/temp_dir.ts";

const EXAMPLES = new URL("../../deploy/examples/demo_abc/", import.meta.url);
const PATTERN = new URL("abc.pattern", EXAMPLES).pathname;
const DECLARATIONS = new URL("abc.declarations", EXAMPLES).pathname;
const STREAM = new URL("demo_abc.csv", EXAMPLES).pathname;
const WORK = tempDirForProcess("retune-cef-cli-");
const PERMISSIONS: Deno.PermissionOptions = { read: [EXAMPLES, WORK], write: [WORK] };
/** The arguments that read the bundled demo stream. */
const DEMO_STREAM = ["--stream", STREAM, "--domain", "demo_abc"];

/** Runs the CLI, capturing its output. */
async function cli(...args: string[]) {
  let out = "";
  let err = "";
  const status = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { status, out, err };
}

async function trained(name: string, ...extra: string[]): Promise<string> {
  const model = join(WORK, name);
  const { status, out, err } = await cli(
    "train",
    "--pattern",
    PATTERN,
    "--declarations",
    DECLARATIONS,
    ...DEMO_STREAM,
    "--out",
    model,
    ...extra,
  );
  assert.equal(status, 0, err);
  assert.match(out, /trained a (pst|markov) model of order \d on 100 events in 1 partition/);
  return model;
}

for (const kind of ["pst", "markov"]) {
  Deno.test({
    name: `train then test --json prints one object with the scores (${kind})`,
    permissions: PERMISSIONS,
  }, async () => {
    const model = await trained(`${kind}.json`, "--kind", kind, "--order", "2");
    const { status, out, err } = await cli(
      "test",
      "--model",
      model,
      ...DEMO_STREAM,
      "--horizon",
      "20",
      "--max-spread",
      "10",
      "--json",
    );
    assert.equal(status, 0, err);
    const lines = out.trim().split("\n");
    assert.equal(lines.length, 1);
    const metrics = JSON.parse(lines[0]);
    for (
      const field of [
        "events",
        "matches",
        "forecasts",
        "tp",
        "tn",
        "fp",
        "fn",
        "precision",
        "recall",
        "f1",
        "mcc",
      ]
    ) {
      assert.equal(typeof metrics[field], "number", field);
    }
    assert.equal(metrics.events, 100);
    assert.equal(metrics.forecasts, 100);
    assert.equal(metrics.tp + metrics.tn + metrics.fp + metrics.fn, 100);
    assert.ok(metrics.matches > 0);
    assert.equal(metrics.horizon, 20);
  });
}

Deno.test(
  { name: "forecast streams one JSON forecast per event", permissions: PERMISSIONS },
  async () => {
    const model = await trained("forecast.json");
    const { status, out } = await cli(
      "forecast",
      "--model",
      model,
      ...DEMO_STREAM,
      "--classify",
      "5",
    );
    assert.equal(status, 0);
    const forecasts = out.trim().split("\n").map((line) => JSON.parse(line));
    assert.equal(forecasts.length, 100);
    forecasts.forEach((f, i) => {
      assert.equal(f.counter, i + 1);
      assert.deepEqual([f.start, f.end], [i + 2, i + 6]);
    });
  },
);

Deno.test(
  { name: "a csv stream is read through a mapping file", permissions: PERMISSIONS },
  async () => {
    const stream = join(WORK, "typed.csv");
    const mapping = join(WORK, "mapping.json");
    const rows = Array.from({ length: 60 }, (_, i) => `${i},v${i % 2},${"ABCD"[(i >> 1) % 4]}`);
    await Deno.writeTextFile(stream, ["t,vessel,kind", ...rows, "oops"].join("\n"));
    await Deno.writeTextFile(
      mapping,
      JSON.stringify({
        header: true,
        key: "vessel",
        timestamp: { field: "t", unit: "s" },
        type: "kind",
      }),
    );
    const model = join(WORK, "csv.json");
    const csvStream = ["--stream", stream, "--domain", "csv", "--mapping", mapping];
    const train = await cli("train", "--pattern", PATTERN, ...csvStream, "--out", model);
    assert.equal(train.status, 0, train.err);
    assert.match(train.out, /on 60 events in 2 partitions/);
    assert.match(train.err, /1 line not read as events \(first: line 62/);
    const test = await cli("test", "--model", model, ...csvStream);
    assert.equal(test.status, 0, test.err);
    assert.match(test.out, /^events +60$/m);
    // Each vessel reads A B C D over and over: 30 events, 7 whole cycles, 7 matches.
    assert.match(test.out, /^matches +14$/m);
  },
);

Deno.test({
  name: "bad arguments exit with status 2 and name the argument",
  permissions: PERMISSIONS,
}, async () => {
  const cases: [string[], RegExp][] = [
    [[], /Usage: deno task cef/],
    [
      ["serve"],
      /command must be one of train, test, forecast, recognize or Wayeb's compile, recognition, learnSPST, mle, forecasting: current value is 'serve'/,
    ],
    [["train", "--bogus"], /Unknown option '--bogus'/],
    [["train", "--pattern", PATTERN, "--domain", "demo_abc", "--out", "x"], /--stream is required/],
    [["train", "--order", "9"], /--order must be an integer in \[1, 5\]: current value is '9'/],
    [["train", "--gamma", "abc"], /--gamma must be a number in \[0, 1\]: current value is 'abc'/],
    [
      ["test", "--model", "m", "--stream", STREAM, "--domain", "csv"],
      /--mapping \(with --domain csv\) is required/,
    ],
    [
      ["test", "--model", join(WORK, "missing.json"), ...DEMO_STREAM],
      /--model must name an existing file/,
    ],
    [["forecast", "--json"], /Unknown option '--json'/],
  ];
  for (const [args, message] of cases) {
    const { status, out, err } = await cli(...args);
    assert.equal(status, 2, args.join(" "));
    assert.match(out + err, message);
  }
  const help = await cli("test", "--help");
  assert.equal(help.status, 0);
  assert.match(help.out, /--max-spread <n>/);
});

Deno.test({
  name: "a model file that is no CEF artifact exits with status 1",
  permissions: PERMISSIONS,
}, async () => {
  const model = join(WORK, "other.json");
  await Deno.writeTextFile(model, JSON.stringify({ format: "wayeb-spst/1" }));
  const { status, err } = await cli(
    "test",
    "--model",
    model,
    ...DEMO_STREAM,
  );
  assert.equal(status, 1);
  assert.match(err, /not a native CEF model artifact/);
});

Deno.test({
  name: "recognize prints Wayeb's matches per line, with its models and policies",
  permissions: PERMISSIONS,
}, async () => {
  const pattern = join(WORK, "recognize.sre");
  const stream = join(WORK, "recognize.csv");
  await Deno.writeTextFile(
    pattern,
    ";(IsEventTypePredicate(A),*(TruePredicate),IsEventTypePredicate(B))",
  );
  await Deno.writeTextFile(stream, "A,1\nA,2\nB,3\nX,-1\nB,4\n");
  const run = (...extra: string[]) =>
    cli("recognize", "--pattern", pattern, "--stream", stream, ...extra);
  const dsfa = await run();
  assert.equal(dsfa.status, 0, dsfa.err);
  assert.equal(dsfa.out, '{"line":3,"timestamp":3}\n');
  assert.equal(dsfa.err, "stream size: 5 rows; matches: 1\n");
  const nsfa = await run("--fsm-model", "nsfa");
  assert.equal(nsfa.out, '{"line":3,"timestamp":3}\n'.repeat(2));
  const bad = await run("--fsm-model", "xyz");
  assert.equal(bad.status, 2);
  assert.match(
    bad.err,
    /--fsm-model must be one of dsfa, nsfa, nsra, dsra: current value is 'xyz'/,
  );
});

Deno.test({
  name: "forecast --argmax and --convention wayeb (no forecast on a match event)",
  permissions: PERMISSIONS,
}, async () => {
  const model = await trained("argmax.json", "--kind", "pst", "--order", "1");
  const run = (...extra: string[]) => cli("forecast", "--model", model, ...DEMO_STREAM, ...extra);
  const own = (await run("--argmax")).out.trim().split("\n").map((l) => JSON.parse(l));
  const wayeb = (await run("--argmax", "--convention", "wayeb")).out.trim().split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(own.length, 100);
  own.forEach((forecast, i) => {
    assert.equal(wayeb[i] === null, forecast.detection, `event ${i}`);
  });
  const both = await run("--argmax", "--classify", "3");
  assert.equal(both.status, 2);
  assert.match(both.err, /--classify and --argmax exclude each other/);
});
