/**
 * Parses the Wayeb-compatible prefix notation:
 * `;(a,b,...)` sequence, `+(a,b,...)` choice, `*(a)` Kleene star, `!(a)` complement; conditions
 * `^(p,q)` and, `|(p,q)` or, `-p` not; predicates with arguments; then the optional suffixes
 * `{order:m}{partitionBy:attr}{window:N}{windowType:count|time}`, in that order.
 *
 * @module
 */

import type {
  Condition,
  ParsedPattern,
  PredicateArg,
  PredicateCall,
  Regex,
  WindowType,
} from "./ast.ts";
import { TokenCursor } from "./cursor.ts";
import { tokenize } from "./lexer.ts";
import { PatternError } from "./pattern_error.ts";

const REGEX_START = ["';('", "'+('", "'*('", "'!('", "a condition"];
const CONDITION_START = ["'^('", "'|('", "'-'", "a predicate name"];
const SUFFIXES = ["order", "partitionBy", "window", "windowType"] as const;

/** Parses a whole pattern (with suffixes); throws `PatternError` pointing at the problem. */
export function parsePattern(source: string): ParsedPattern {
  const cursor = new TokenCursor(tokenize(source));
  const regex = readRegex(cursor);
  const suffixes = readSuffixes(cursor);
  if (cursor.peek().kind !== "end") cursor.fail(["'{'", "end of input"]);
  return { regex, ...suffixes };
}

function readRegex(cursor: TokenCursor): Regex {
  const token = cursor.peek();
  if (token.kind === "punct") {
    switch (token.text) {
      case ";":
        cursor.next();
        return { kind: "sequence", parts: readList(cursor, readRegex) };
      case "+":
        cursor.next();
        return { kind: "choice", parts: readList(cursor, readRegex) };
      case "*":
        cursor.next();
        return { kind: "star", body: readSingle(cursor, readRegex) };
      case "!":
        cursor.next();
        return { kind: "complement", body: readSingle(cursor, readRegex) };
    }
  }
  if (!startsCondition(cursor)) cursor.fail(REGEX_START);
  return { kind: "condition", condition: readCondition(cursor) };
}

function startsCondition(cursor: TokenCursor): boolean {
  const token = cursor.peek();
  return token.kind === "word" ||
    (token.kind === "punct" && (token.text === "^" || token.text === "|" || token.text === "-"));
}

function readCondition(cursor: TokenCursor): Condition {
  if (cursor.accept("^")) return { kind: "and", operands: readList(cursor, readCondition) };
  if (cursor.accept("|")) return { kind: "or", operands: readList(cursor, readCondition) };
  if (cursor.accept("-")) return { kind: "not", operand: readCondition(cursor) };
  if (cursor.peek().kind !== "word") cursor.fail(CONDITION_START);
  return { kind: "predicate", call: readPredicateCall(cursor) };
}

/** Reads `Name(arg,...)`; shared with the declarations parser. */
export function readPredicateCall(cursor: TokenCursor): PredicateCall {
  const name = cursor.peek();
  if (name.kind !== "word" || !/^[A-Za-z_]/.test(name.text)) cursor.fail(["a predicate name"]);
  cursor.next();
  cursor.expect("(");
  const args: PredicateArg[] = [];
  if (!cursor.accept(")")) {
    do args.push(readArg(cursor)); while (cursor.accept(","));
    if (!cursor.accept(")")) cursor.fail(["','", "')'"]);
  }
  return { name: name.text, args, line: name.line, column: name.column };
}

function readArg(cursor: TokenCursor): PredicateArg {
  const token = cursor.peek();
  switch (token.kind) {
    case "number":
      cursor.next();
      return { kind: "number", value: Number(token.text) };
    case "word":
    case "string":
      cursor.next();
      return { kind: "text", value: token.text };
    default:
      return cursor.fail(["an argument"]);
  }
}

/** `(x, y, ...)` with at least one element. */
function readList<T>(cursor: TokenCursor, read: (cursor: TokenCursor) => T): T[] {
  cursor.expect("(");
  const items: T[] = [];
  do items.push(read(cursor)); while (cursor.accept(","));
  if (!cursor.accept(")")) cursor.fail(["','", "')'"]);
  return items;
}

function readSingle<T>(cursor: TokenCursor, read: (cursor: TokenCursor) => T): T {
  cursor.expect("(");
  const item = read(cursor);
  cursor.expect(")");
  return item;
}

function readSuffixes(cursor: TokenCursor): Omit<ParsedPattern, "regex"> {
  let order: number | null = null;
  let partitionBy: string | null = null;
  let windowSize: number | null = null;
  let windowType: WindowType | null = null;
  let windowTypeAt = cursor.peek();
  let rank = -1;
  while (cursor.at("{")) {
    if (rank === SUFFIXES.length - 1) cursor.fail(["end of input"]);
    cursor.next();
    const nameToken = cursor.peek();
    const allowed = SUFFIXES.slice(rank + 1);
    const name = allowed.find((s) => nameToken.kind === "word" && nameToken.text === s);
    if (name === undefined) cursor.fail(allowed.map((s) => `'${s}'`));
    cursor.next();
    cursor.expect(":");
    const value = cursor.peek();
    rank = SUFFIXES.indexOf(name);
    switch (name) {
      case "order":
        order = readInteger(cursor, "order", 0);
        break;
      case "partitionBy":
        if (value.kind !== "word" && value.kind !== "string") cursor.fail(["an attribute name"]);
        partitionBy = cursor.next().text;
        break;
      case "window":
        windowSize = readInteger(cursor, "window", 1);
        break;
      case "windowType":
        if (value.kind !== "word" || (value.text !== "count" && value.text !== "time")) {
          cursor.fail(["'count'", "'time'"]);
        }
        windowTypeAt = value;
        windowType = cursor.next().text as WindowType;
        break;
    }
    cursor.expect("}");
  }
  if (windowType !== null && windowSize === null) {
    throw new PatternError(windowTypeAt, "{windowType:...} needs a {window:N} suffix before it");
  }
  const window = windowSize === null ? null : { size: windowSize, type: windowType ?? "count" };
  return { order, partitionBy, window };
}

function readInteger(cursor: TokenCursor, name: string, min: number): number {
  const token = cursor.peek();
  const value = Number(token.text);
  if (token.kind !== "word" || !/^\d+$/.test(token.text) || value < min) {
    cursor.fail([`an integer >= ${min} for ${name}`]);
  }
  cursor.next();
  return value;
}
