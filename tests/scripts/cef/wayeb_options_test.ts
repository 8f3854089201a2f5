import assert from "node:assert/strict";
import { parseWayebOptions } from "../../../scripts/cef/wayeb_options.ts";

Deno.test("Wayeb's option forms: --name:value, --name=value and --name value", () => {
  const options = parseWayebOptions("compile", [
    "--patterns:p.sre",
    "--fsmModel=nsfa",
    "--outputFsm",
    "o",
  ], [
    "patterns",
    "fsmModel",
    "outputFsm",
  ]);
  assert.deepEqual([...options], [["patterns", "p.sre"], ["fsmModel", "nsfa"], ["outputFsm", "o"]]);
});

Deno.test("unknown, repeated, valueless or malformed options are refused by name", () => {
  const known = ["stream"];
  assert.throws(() => parseWayebOptions("mle", ["--fsm:x"], known), {
    message: "mle: unknown option --fsm; known options: --stream",
  });
  assert.throws(() => parseWayebOptions("mle", ["--stream:a", "--stream:b"], known), {
    message: "mle: --stream is given twice",
  });
  assert.throws(() => parseWayebOptions("mle", ["--stream"], known), {
    message: "mle: --stream needs a value",
  });
  assert.throws(() => parseWayebOptions("mle", ["stream.csv"], known), {
    message: "mle: options are written --name:value: current value is 'stream.csv'",
  });
});
