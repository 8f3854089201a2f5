/**
 * Initial training heads: one pass over the stream gives each model the head it would read
 * alone, and a fleet's models take theirs from that one pass.
 */

import assert from "node:assert/strict";
import { readHeads, TrainingHeads } from "../../../actors/factory/training_heads.ts";
import { generate } from "../../../scripts/generate_drift.ts";
import { REGIMES } from "../../../scripts/drift_stream.ts";
import { sourceSpecOf } from "../../../config/build_source.ts";
import { loadConfig } from "../../../config/load.ts";
import { DRIFT_CONFIG } from "../../fixtures/drift_input.ts";

/** The drift stream's source (its keyed csv columns). */
const SOURCE = sourceSpecOf((await loadConfig(DRIFT_CONFIG, { env: {} })).model.source);
const WANTED = [
  { head: { events: 50 }, select: (key: string) => key === "k0" },
  { head: { events: 80 }, select: (key: string) => key === "k1" || key === "k2" },
  { head: { events: 10_000 }, select: (key: string) => key === "k2" },
];

async function stream(): Promise<{ dir: string; file: string }> {
  const dir = await Deno.makeTempDir({ prefix: "retune-heads-" });
  const file = `${dir}/stream.csv`;
  await generate({
    out: file,
    format: "csv",
    options: { events: 3_000, keys: 3, seed: 2, driftAt: [], regimes: [REGIMES.runs] },
  });
  return { dir, file };
}

Deno.test("one pass gives each model the head it reads alone", async () => {
  const { dir, file } = await stream();
  try {
    const together = await readHeads(file, SOURCE, WANTED);
    for (const [i, wanted] of WANTED.entries()) {
      const [alone] = await readHeads(file, SOURCE, [wanted]);
      assert.deepEqual(together[i].events, alone.events, `model ${i}`);
    }
    assert.deepEqual(together.map((h) => h.events.length), [50, 80, 1_000]);
    assert.ok(together[1].events.every((e) => e.key === "k1" || e.key === "k2"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a fleet's models take their heads from one pass over the file", async () => {
  const { dir, file } = await stream();
  try {
    const heads = new TrainingHeads(
      WANTED.map((wanted, i) => ({ ...wanted, name: `m${i}`, file, source: SOURCE })),
    );
    const first = await heads.take("m0");
    assert.equal(first?.events.length, 50);
    // The file is gone: the others' heads were read in the first pass.
    await Deno.remove(file);
    assert.equal((await heads.take("m1"))?.events.length, 80);
    assert.equal((await heads.take("m2"))?.events.length, 1_000);
    assert.equal(await heads.take("no such model"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
