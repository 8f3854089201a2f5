import assert from "node:assert/strict";
import { splitCsvLine } from "../../../models/sources/csv.ts";

Deno.test("plain and quoted CSV fields", () => {
  assert.deepEqual(splitCsvLine("a,b,,c", ","), ["a", "b", "", "c"]);
  assert.deepEqual(splitCsvLine('"a,b","say ""hi""",c,', ","), ["a,b", 'say "hi"', "c", ""]);
  assert.deepEqual(splitCsvLine("a;b", ";"), ["a", "b"]);
  assert.deepEqual(splitCsvLine('"a', ","), { error: "unterminated quoted field at character 1" });
  assert.deepEqual(splitCsvLine('"a"b,c', ","), {
    error: "unexpected text after a quoted field at character 4",
  });
});
