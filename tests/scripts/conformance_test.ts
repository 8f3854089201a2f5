import assert from "node:assert/strict";
import { join } from "node:path";
import { runConformance } from "../../scripts/conformance.ts";

/** Runs the conformance runner with `args`; its exit status and printed lines. */
async function conformance(args: string[]): Promise<{ status: number; lines: string[] }> {
  const lines: string[] = [];
  const status = await runConformance(args, (line) => lines.push(line));
  return { status, lines };
}

Deno.test("the whole corpus runs without regressing against the recorded baseline", async () => {
  const { status, lines } = await conformance([]);
  assert.equal(status, 0, lines.filter((l) => l.startsWith("FAIL")).join("\n"));
  assert.ok(lines.some((l) => /^recognition: \d+\/88 pass/.test(l)), lines.join("\n"));
  assert.ok(lines.some((l) => /^forecasting: \d+\/9 pass/.test(l)), lines.join("\n"));
  assert.equal(lines.at(-1), "no regression against the baseline");
});

Deno.test("each case is reported as pass, fail or extension with its reason", async () => {
  const { lines } = await conformance(["--only", "01-seq-two", "--only", "86-syntax-comment"]);
  assert.match(lines[0], /^PASS cases\/01-seq-two \[core\]: 4 matches at the same rows$/);
  assert.match(lines[1], /^EXTENSION cases\/86-syntax-comment-line \[error\]: comments/);
  assert.match(lines[2], /^recognition: 1\/2 pass, 1 extension \(core 1\/1, error 1\/1;/);
});

Deno.test("a baseline case that fails makes the run exit 1 naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A one-case corpus whose recorded result Retune cannot give: its completions are moved.
    const source = new URL("../conformance/wayeb/cases/01-seq-two/", import.meta.url).pathname;
    const target = join(dir, "cases", "01-seq-two");
    await Deno.mkdir(target, { recursive: true });
    await Deno.mkdir(join(dir, "fcases"));
    for (const file of ["case.json", "pattern.sre", "stream.csv"]) {
      await Deno.copyFile(join(source, file), join(target, file));
    }
    const expected = JSON.parse(await Deno.readTextFile(join(source, "expected.json")));
    expected.completions = [0];
    await Deno.writeTextFile(join(target, "expected.json"), JSON.stringify(expected));
    const baseline = join(dir, "baseline.json");
    await Deno.writeTextFile(baseline, JSON.stringify({ passing: ["cases/01-seq-two"] }));
    const { status, lines } = await conformance(["--corpus", dir, "--baseline", baseline]);
    assert.equal(status, 1);
    assert.match(lines[0], /^FAIL cases\/01-seq-two \[core\]: matches 4 vs expected 1;/);
    assert.equal(lines.at(-1), "1 case(s) of the baseline regressed: cases/01-seq-two");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing corpus is reported as such", async () => {
  await assert.rejects(
    () => conformance(["--corpus", "/nonexistent/corpus"]),
    { message: "the conformance corpus is missing: /nonexistent/corpus/cases was not found" },
  );
});
