import assert from "node:assert/strict";
import {
  parseClassificationStats,
  parseRecognitionStats,
  toModelMetrics,
} from "../../../models/wayeb/stats.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const read = (name: string) => Deno.readTextFile(new URL(name, fixtures));
const fixtureRead = { read: [fixtures] };

Deno.test({
  name: "recorded statistics parse into Retune's test metrics",
  permissions: fixtureRead,
  async fn() {
    const recognition = parseRecognitionStats(await read("forestats.csv"), "forestats.csv");
    assert.deepEqual(recognition, {
      streamSize: 9058,
      execTimeNs: 2843117094,
      matches: 61,
      lockedRuns: 1,
      unlockedRuns: 0,
    });
    const classification = parseClassificationStats(
      await read("forestats_pattern"),
      "forestats_pattern",
    );
    assert.equal(classification.npv, 0.9954913294797688);
    assert.deepEqual(toModelMetrics(recognition, classification, 50), {
      tp: 118,
      tn: 8611,
      fp: 213,
      fn: 39,
      precision: 0.3564954682779456,
      recall: 0.7515923566878981,
      f1: 0.48360655737704916,
      specificity: 0.9758612873980055,
      mcc: 0.5060178640117138,
      events: 9058,
      matches: 61,
      forecasts: 8981,
      spread: 49,
      distance: 1,
    });
  },
});

Deno.test({
  name: "Wayeb's -1.0 for an undefined ratio becomes 0; no positive forecast has no spread",
  permissions: fixtureRead,
  async fn() {
    const metrics = toModelMetrics(
      parseRecognitionStats(await read("no_positives.csv"), "no_positives.csv"),
      parseClassificationStats(await read("no_positives_pattern"), "no_positives_pattern"),
      50,
    );
    assert.equal(metrics.precision, 0);
    assert.equal(metrics.f1, 0);
    assert.equal(metrics.recall, 0);
    assert.equal(metrics.specificity, 1);
    assert.equal(metrics.mcc, 0);
    assert.equal(metrics.spread, 0);
    assert.equal(metrics.distance, 0);
  },
});

Deno.test("malformed statistics are rejected naming the file and the column", () => {
  assert.throws(() => parseRecognitionStats("", "s.csv"), /s\.csv: expected one row .* found 0/);
  assert.throws(
    () => parseRecognitionStats("1,2,3,4,0\r\n1,2,3,4,0\r\n", "s.csv"),
    /found 2/,
  );
  assert.throws(() => parseRecognitionStats("1,2,3\r\n", "s.csv"), /expected 5 columns .* found 3/);
  assert.throws(
    () => parseClassificationStats("0.1,0.2,0.3,0.4,0.5,0.6,0.7,NaN,1,2,3,4\n", "s_pattern"),
    /s_pattern: column mcc is not a number: 'NaN'/,
  );
});

Deno.test({
  name: "statistics the real Wayeb 0.6 jar wrote parse into Retune's test metrics",
  permissions: fixtureRead,
  async fn() {
    // Recorded from learnSPST + forecasting on the bundled maritime sample (see fixtures/README).
    const recognition = parseRecognitionStats(
      await read("recorded_stats.csv"),
      "recorded_stats.csv",
    );
    assert.deepEqual({ ...recognition, execTimeNs: 0 }, {
      streamSize: 2000,
      execTimeNs: 0,
      matches: 32,
      lockedRuns: 1,
      unlockedRuns: 0,
    });
    const classification = parseClassificationStats(
      await read("recorded_stats_pattern"),
      "recorded_stats_pattern",
    );
    const metrics = toModelMetrics(recognition, classification, 50);
    assert.deepEqual([metrics.tp, metrics.tn, metrics.fp, metrics.fn], [126, 564, 10, 1267]);
    assert.equal(metrics.mcc, 0.13086487503118008);
    assert.equal(metrics.matches, 32);
  },
});
