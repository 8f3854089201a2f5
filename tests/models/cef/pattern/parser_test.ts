import assert from "node:assert/strict";
import { parsePattern, parsePatterns } from "../../../../models/cef/pattern/parser.ts";
import { PatternError } from "../../../../models/cef/pattern/pattern_error.ts";

const PORT = "OutsideCirclePredicate(-4.47530,48.38273,5.0)";

/** The 1-based column of the first occurrence of `needle` in a one-line `source`. */
function columnOf(source: string, needle: string): number {
  return source.indexOf(needle) + 1;
}

Deno.test("the port-entering pattern parses into a sequence with its suffixes", () => {
  const parsed = parsePattern(
    `;(*(${PORT}),${PORT},${PORT},WithinCirclePredicate(-4.47530,48.38273,5.0)){order:0}{partitionBy:mmsi}`,
  );
  assert.equal(parsed.order, 0);
  assert.equal(parsed.partitionBy, "mmsi");
  assert.equal(parsed.window, null);
  assert.equal(parsed.regex.kind, "sequence");
  if (parsed.regex.kind !== "sequence") return;
  assert.deepEqual(parsed.regex.parts.map((p) => p.kind), [
    "star",
    "condition",
    "condition",
    "condition",
  ]);
  const last = parsed.regex.parts[3];
  assert.ok(last.kind === "condition" && last.condition.kind === "predicate");
  assert.deepEqual(last.condition.call.args, [
    { kind: "number", value: -4.4753 },
    { kind: "number", value: 48.38273 },
    { kind: "number", value: 5 },
  ]);
});

Deno.test("operators, conditions and argument kinds", () => {
  const source =
    `+(!(*(^(GT(speed,5.0),-EQStr(annotation,00100000)))),|(IsEventTypePredicate('B C'),TruePredicate()))`;
  const parsed = parsePattern(source);
  assert.deepEqual(JSON.parse(JSON.stringify(parsed.regex)), {
    kind: "choice",
    parts: [
      {
        kind: "complement",
        body: {
          kind: "star",
          body: {
            kind: "condition",
            condition: {
              kind: "and",
              operands: [
                {
                  kind: "predicate",
                  call: {
                    name: "GT",
                    args: [{ kind: "text", value: "speed" }, { kind: "number", value: 5 }],
                    line: 1,
                    column: columnOf(source, "GT("),
                  },
                },
                {
                  kind: "not",
                  operand: {
                    kind: "predicate",
                    call: {
                      name: "EQStr",
                      args: [
                        { kind: "text", value: "annotation" },
                        // Digits without a dot are text, so leading zeros survive.
                        { kind: "text", value: "00100000" },
                      ],
                      line: 1,
                      column: columnOf(source, "EQStr("),
                    },
                  },
                },
              ],
            },
          },
        },
      },
      {
        kind: "condition",
        condition: {
          kind: "or",
          operands: [
            {
              kind: "predicate",
              call: {
                name: "IsEventTypePredicate",
                args: [{ kind: "text", value: "B C" }],
                line: 1,
                column: columnOf(source, "IsEventTypePredicate("),
              },
            },
            {
              kind: "predicate",
              call: {
                name: "TruePredicate",
                args: [],
                line: 1,
                column: columnOf(source, "TruePredicate("),
              },
            },
          ],
        },
      },
    ],
  });
});

Deno.test("whitespace, newlines and comments are ignored", () => {
  const parsed = parsePattern(`# port entering
;( IsEventTypePredicate(A) ,   // first
   IsEventTypePredicate(B) )
{window:10}{windowType:count}`);
  assert.equal(parsed.regex.kind, "sequence");
  assert.deepEqual(parsed.window, { size: 10, type: "count" });
  assert.deepEqual(parsePattern("TruePredicate(){window:3}").window, { size: 3, type: "count" });
});

Deno.test("a syntax error names the line, the column and what was expected", () => {
  const source = ";(GT(x,5.0) X)";
  assert.throws(() => parsePattern(source), {
    name: "PatternError",
    message: `line 1, column ${columnOf(source, "X")}: expected ',' or ')' but found 'X'`,
  });
  assert.throws(() => parsePattern(";(GT(x,5.0),\n  IsEventTypePredicate(A)"), {
    message: "line 2, column 26: expected ',' or ')' but found end of input",
  });
  assert.throws(() => parsePattern(";(,GT(x,5.0))"), {
    message:
      "line 1, column 3: expected ';(', '+(', '*(', '!(', '#(', '@(' or a condition but found ','",
  });
  assert.throws(() => parsePattern("^(GT(x,5.0),;(A))"), {
    message: "line 1, column 13: expected '^(', '|(', '-' or a predicate name but found ';'",
  });
  assert.throws(() => parsePattern("GT(x,5.0) GT(y,1.0)"), {
    message: "line 1, column 11: expected '{' or end of input but found 'GT'",
  });
  assert.throws(() => parsePattern("GT(x,$)"), {
    message: "line 1, column 6: unexpected character '$'",
  });
  assert.throws(() => parsePattern("EQStr(x,'abc)"), {
    message: "line 1, column 9: unterminated string: expected a closing '",
  });
  const error = (() => {
    try {
      parsePattern("*(GT(x,5.0)");
    } catch (e) {
      return e;
    }
  })();
  assert.ok(error instanceof PatternError);
  assert.equal(error.line, 1);
  assert.equal(error.column, 12);
});

Deno.test("suffixes must come in order, once each, with valid values", () => {
  assert.throws(() => parsePattern("GT(x,5.0){partitionBy:mmsi}{order:1}"), {
    message: "line 1, column 29: expected 'window' or 'windowType' but found 'order'",
  });
  assert.throws(() => parsePattern("GT(x,5.0){order:1}{order:2}"), {
    message:
      "line 1, column 20: expected 'partitionBy', 'window' or 'windowType' but found 'order'",
  });
  assert.throws(() => parsePattern("GT(x,5.0){window:5}{windowType:count}{order:1}"), {
    message: "line 1, column 38: expected '&' or end of input but found '{'",
  });
  assert.throws(() => parsePattern("GT(x,5.0){order:1.5}"), {
    message: "line 1, column 17: expected an integer >= 0 for order but found '1.5'",
  });
  // As in Wayeb, {window:0} means no window and a window type alone is accepted.
  assert.equal(parsePattern("GT(x,5.0){window:0}").window, null);
  assert.throws(() => parsePattern("GT(x,5.0){window:5}{windowType:sliding}"), {
    message: "line 1, column 32: expected 'count' or 'time' but found 'sliding'",
  });
  assert.equal(parsePattern("GT(x,5.0){windowType:time}").window, null);
  assert.deepEqual(parsePattern("GT(x,5.0){window:60}{windowType:time}").window, {
    size: 60,
    type: "time",
  });
});

Deno.test("a file holds patterns separated by '&'; a forecasting model takes one", () => {
  const patterns = parsePatterns("IsEventTypePredicate(A){order:1}\n&\n;(TruePredicate,GT(x,1.0))");
  assert.deepEqual(patterns.map((p) => [p.regex.kind, p.order]), [
    ["condition", 1],
    ["sequence", null],
  ]);
  assert.throws(() => parsePattern("IsEventTypePredicate(A) & IsEventTypePredicate(B)"), {
    message: "line 1, column 25: a forecasting model takes one pattern, but '&' starts another",
  });
});

Deno.test("selection strategies, bare predicates and registers parse", () => {
  const parsed = parsePattern(`#(;(TruePredicate["x"],@(;(A,EQAttrStr(EventType,"x")))))`);
  assert.equal(parsed.regex.kind, "skipTillAny");
  if (parsed.regex.kind !== "skipTillAny" || parsed.regex.body.kind !== "sequence") return;
  const [first, second] = parsed.regex.body.parts;
  assert.deepEqual(first, {
    kind: "condition",
    condition: {
      kind: "predicate",
      call: { name: "TruePredicate", args: [], line: 1, column: 5 },
    },
    register: { name: "x", line: 1, column: 19 },
  });
  assert.equal(second.kind, "skipTillNext");
  assert.throws(() => parsePattern("#(A,B)"), {
    message: "line 1, column 4: expected ')' but found ','",
  });
});

Deno.test("Wayeb's strictness: operator spacing, operand counts, suffix braces", () => {
  assert.throws(() => parsePattern("; (A,B)"), {
    message: "line 1, column 1: no space may come between ';' and '(': write ';('",
  });
  assert.throws(() => parsePattern("+(A)"), {
    message: "line 1, column 1: '+(' needs at least 2 operands: current value is 1",
  });
  assert.throws(() => parsePattern("^(A)"), {
    message: "line 1, column 1: '^(' needs at least 2 operands: current value is 1",
  });
  assert.throws(() => parsePattern("A{ order:2}"), {
    message: "line 1, column 2: no space may come between '{' and 'order'",
  });
  assert.throws(() => parsePattern("A{partitionBy:MMSI}"), {
    message:
      "line 1, column 15: expected an attribute name starting with a lowercase letter but found 'MMSI'",
  });
});

Deno.test("'*' and '!' take one operand; Wayeb compatibility drops the others", () => {
  assert.throws(() => parsePattern("*(A,B)"), {
    message: "line 1, column 4: expected ')' but found ','",
  });
  const parsed = parsePattern("!(A,B)", { compat: "wayeb" });
  assert.ok(parsed.regex.kind === "complement" && parsed.regex.body.kind === "condition");
});
