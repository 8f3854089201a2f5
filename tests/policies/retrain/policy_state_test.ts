import assert from "node:assert/strict";
import { createRetrainPolicy } from "../../../config/build_policies.ts";
import { CompositePolicy } from "../../../policies/retrain/composite.ts";
import { MinScorePolicy } from "../../../policies/retrain/min_score.ts";
import type { RetrainPolicy } from "../../../policies/retrain/retrain_policy.ts";
import { retrainSection } from "../../fixtures/config_sections.ts";
import { decisions, type Step } from "./reports.ts";

/** A policy of each kind: the configured ones (with the minimum-score rule), and the parts. */
type Kind = "trend" | "difference" | "page_hinkley" | "min_score" | "composite";
const CONFIGS: { kind: Kind; k?: number }[] = [
  { kind: "trend" },
  { kind: "difference" },
  { kind: "page_hinkley" },
  { kind: "min_score" },
  { kind: "composite" },
];

/** The policy `config` names, with the schema's defaults. */
function createPolicy(config: { kind: Kind; k?: number }): RetrainPolicy {
  switch (config.kind) {
    case "min_score":
      return new MinScorePolicy({ minScore: 0.2, holdOff: 4 });
    case "composite":
      return new CompositePolicy([
        createRetrainPolicy(retrainSection({ kind: "trend" })),
        createRetrainPolicy(retrainSection({ kind: "difference" })),
      ]);
    case "trend":
      return createRetrainPolicy(retrainSection({ kind: "trend", k: config.k ?? 3 }));
    default:
      return createRetrainPolicy(retrainSection({ kind: config.kind }));
  }
}

/** Declines, a swap and a fall below the floor, split where a policy is mid-way through. */
const BEFORE: Step[] = [0.8, 0.78, null, 0.74, 0.7, { swap: 1 }, 0.8, 0.79];
const AFTER: Step[] = [0.7, 0.6, null, 0.5, 0.15, 0.1, 0.12, 0.6, 0.58, 0.5, 0.45, 0.4];

Deno.test("a policy restored from a snapshot decides as the one it was taken from", () => {
  for (const config of CONFIGS) {
    const original = createPolicy(config);
    decisions(original, BEFORE);
    const restored = createPolicy(config);
    restored.restore(JSON.parse(JSON.stringify(original.snapshot())));
    assert.deepEqual(restored.snapshot(), original.snapshot(), config.kind);
    const expected = decisions(original, AFTER);
    assert.deepEqual(decisions(restored, AFTER), expected, config.kind);
    assert.ok(expected.length > 0, `${config.kind} decides something after the split`);
  }
});

Deno.test("a fresh policy's snapshot restores a fresh policy", () => {
  for (const config of CONFIGS) {
    const fresh = createPolicy(config);
    const restored = createPolicy(config);
    decisions(restored, BEFORE);
    restored.restore(fresh.snapshot());
    assert.deepEqual(decisions(restored, AFTER), decisions(fresh, AFTER), config.kind);
  }
});

Deno.test("a bad policy state is rejected naming the policy and field, and changes nothing", () => {
  const bad: [{ kind: Kind; k?: number }, unknown, RegExp][] = [
    [
      { kind: "trend" },
      { window: ["x"], modelVersion: 0, guard: { left: 0 } },
      /members\.1: trend policy state rejected: window\.0: /,
    ],
    [
      { kind: "trend", k: 3 },
      { window: [1, 1, 1, 1], modelVersion: 0, guard: { left: 0 } },
      /more than k = 3/,
    ],
    [
      { kind: "difference" },
      { previous: 0.5 },
      /members\.1: difference policy state rejected: modelVersion: /,
    ],
    [{ kind: "page_hinkley" }, null, /members\.1: page_hinkley policy state rejected: the state: /],
    [
      { kind: "min_score" },
      { hold: { modelVersion: 1, left: -1 } },
      /^RangeError: min_score policy state rejected: hold\.left: /,
    ],
  ];
  for (const [config, state, message] of bad) {
    const policy = createPolicy(config);
    decisions(policy, BEFORE);
    const before = policy.snapshot();
    // The configured kinds other than min_score and composite come wrapped with the min-score rule.
    const wrapped = config.kind === "min_score" ? state : { members: [{ hold: null }, state] };
    assert.throws(() => policy.restore(wrapped), RangeError);
    assert.throws(() => policy.restore(wrapped), message);
    assert.deepEqual(policy.snapshot(), before, `${config.kind}: nothing changed`);
  }
  const composite = new CompositePolicy([createPolicy({ kind: "min_score" })]);
  assert.throws(
    () => composite.restore({ members: [] }),
    /^RangeError: composite policy state rejected: members: holds 0 states for 1 members$/,
  );
});
