import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../../../scripts/cef.ts";

const CORPUS = new URL("../../conformance/wayeb/", import.meta.url).pathname;

/** Runs the CLI, capturing its output. */
async function cli(...args: string[]) {
  let out = "";
  let err = "";
  const status = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { status, out, err };
}

Deno.test("compile then recognition, as with Wayeb's jar", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fsm = join(dir, "p.fsm");
    const stats = join(dir, "stats");
    const folder = join(CORPUS, "cases/22-nsfa-all-runs");
    const compiled = await cli(
      "compile",
      `--patterns:${folder}/pattern.sre`,
      `--outputFsm:${fsm}`,
      "--fsmModel:nsfa",
    );
    assert.equal(compiled.status, 0, compiled.err);
    const run = await cli(
      "recognition",
      `--fsm:${fsm}`,
      `--stream:${folder}/stream.csv`,
      `--statsFile:${stats}`,
    );
    assert.equal(run.status, 0, run.err);
    const lines = run.out.trim().split("\n");
    assert.deepEqual(lines.slice(0, 3), [
      "MATCH:  Timestamp->4",
      "MATCH:  Timestamp->4",
      "MATCH:  Timestamp->5",
    ]);
    assert.deepEqual(lines.slice(-2), ["Stream size: 8 events", "Matches No: 7"]);
    assert.match(await Deno.readTextFile(`${stats}.csv`), /^8,\d+,7,0,0\n$/);
    const other = await cli(
      "recognition",
      `--fsm:${fsm}`,
      `--stream:${folder}/stream.csv`,
      "--fsmModel:dsfa",
    );
    assert.equal(other.status, 2);
    assert.match(other.err, /--fsmModel must be the compiled one, nsfa: current value is 'dsfa'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("learnSPST then forecasting prints Wayeb's forecasts (fractional parameters allowed)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const folder = join(CORPUS, "fcases/05-spst-params");
    const spst = join(dir, "m.spst");
    const learned = await cli(
      "learnSPST",
      `--patterns:${folder}/pattern.sre`,
      `--stream:${folder}/train.csv`,
      `--outputSpst:${spst}`,
      "--pMin:0.01",
      "--gammaMin:0.01",
      "--r:1.2",
    );
    assert.equal(learned.status, 0, learned.err);
    const run = await cli(
      "forecasting",
      `--fsm:${spst}`,
      "--modelType:vmm",
      `--stream:${folder}/test.csv`,
      "--threshold:0.3",
      "--maxSpread:8",
      "--horizon:50",
    );
    assert.equal(run.status, 0, run.err);
    const expected = JSON.parse(await Deno.readTextFile(join(folder, "expected.json")));
    const predictions = run.out.split("\n").filter((l) => l.startsWith("PREDICTION@"));
    assert.equal(predictions.length, expected.forecast_count);
    const [, timestamp, start, end, prob, , , startCounter] = expected.forecasts[0];
    const first = predictions[0].match(
      /^PREDICTION@(\d+):Attr->\$\|StartRelativeToNow->(\d+)\|EndRelativeToNow->(\d+)\|Prob->([\d.]+)\|StartRelativeToCounter->(\d+)\|/,
    )!;
    assert.deepEqual(first.slice(1, 4).map(Number), [timestamp, start, end]);
    assert.ok(Math.abs(Number(first[4]) - prob) < 1e-9);
    assert.equal(Number(first[5]), startCounter);
    assert.match(run.out, new RegExp(`Matches No: ${expected.matches}\\n$`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("learnSPST refuses order 0, as Wayeb does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const folder = join(CORPUS, "fcases/09-spst-order0");
    const run = await cli(
      "learnSPST",
      `--patterns:${folder}/pattern.sre`,
      `--stream:${folder}/train.csv`,
      `--outputSpst:${join(dir, "m.spst")}`,
    );
    assert.equal(run.status, 1);
    assert.match(run.err, /order must be an integer in \[1, 5\]: current value is 0/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
