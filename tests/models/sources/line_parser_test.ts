import assert from "node:assert/strict";
import { createLineParser } from "../../../models/sources/line_parser.ts";
import { DEMO_ABC_SOURCE, MARITIME_SOURCE } from "../../../models/sources/builtin.ts";
import { parseSourceSpec } from "../../../models/sources/spec.ts";

Deno.test("one line at a time, as the replayer and engine parse them", () => {
  const abc = createLineParser(DEMO_ABC_SOURCE);
  assert.deepEqual(abc("C,42"), {
    ok: true,
    event: { key: "", timestamp: 42000, type: "C", attributes: {} },
  });
  assert.deepEqual(abc("C"), { ok: false, reason: "expected 2 columns but found 1" });
  const maritime = createLineParser(MARITIME_SOURCE);
  const parsed = maritime("1443677401,227592820,-4.48,48.35,,176.9,178.6,00100000");
  assert.deepEqual(parsed, { ok: false, reason: 'speed must be a number: current value is ""' });
});

Deno.test("a header source needs its header line", () => {
  const spec = parseSourceSpec({
    format: "csv",
    header: true,
    key: "k",
    timestamp: { field: "t", unit: "ms" },
  });
  assert.throws(() => createLineParser(spec), /headerLine is required/);
  const parse = createLineParser(spec, "t,k");
  assert.deepEqual(parse("5,v"), {
    ok: true,
    event: { key: "v", timestamp: 5, type: "", attributes: {} },
  });
});

Deno.test("CSV cells convert exactly: zeros, blanks, exponents, infinities and inferred columns", () => {
  const spec = parseSourceSpec({
    format: "csv",
    columns: ["t", "k", "x", "label", "extra"],
    key: "k",
    timestamp: { field: "t", unit: "s" },
    numeric: ["x"],
    strings: ["label"],
    otherFields: "infer",
  });
  const parse = createLineParser(spec);
  assert.deepEqual(parse("0.0015,a,0,  ,1e3"), {
    ok: true,
    event: { key: "a", timestamp: 2, type: "", attributes: { x: 0, label: "  ", extra: 1000 } },
  });
  assert.deepEqual(parse("1,a, -2.5e-1 ,l, "), {
    ok: true,
    event: {
      key: "a",
      timestamp: 1000,
      type: "",
      attributes: { x: -0.25, label: "l", extra: " " },
    },
  });
  assert.deepEqual(parse("1,a,  ,l,e"), {
    ok: false,
    reason: 'x must be a number: current value is "  "',
  });
  assert.deepEqual(parse("1,a,Infinity,l,e"), {
    ok: false,
    reason: 'x must be a number: current value is "Infinity"',
  });
  assert.deepEqual(parse(",a,1,l,e; "), {
    ok: false,
    reason: 't must be a number: current value is ""',
  });
});
