/**
 * Parses the Wayeb-compatible prefix notation: one or more patterns separated by `&`, each
 * `;(a,b,...)` sequence, `+(a,b,...)` choice, `*(a)` Kleene star, `!(a)` complement, `#(a)`
 * skip-till-any, `@(a)` skip-till-next; conditions `^(p,q)` and, `|(p,q)` or, `-p` not;
 * predicates with arguments (`Name` alone means no arguments), a condition may store its event in
 * a register (`Cond["x"]`); then the optional suffixes
 * `{order:m}{partitionBy:attr}{window:N}{windowType:count|time}`, in that order.
 *
 * As in Wayeb an operator and its `(` are one token (`; (` is refused), `;`, `+`, `^` and `|`
 * take at least two operands, and a suffix brace is followed directly by its name. Wayeb keeps
 * only the first operand of `*(a,b)` and `!(a,b)`; Retune refuses them, except under
 * `compat: "wayeb"`, which reproduces Wayeb.
 *
 * @module
 */

import type {
  Condition,
  ParsedPattern,
  PredicateArg,
  PredicateCall,
  Regex,
  Register,
  WindowType,
} from "./ast.ts";
import { TokenCursor } from "./cursor.ts";
import type { Token } from "./lexer.ts";
import { tokenize } from "./lexer.ts";
import { PatternError } from "./pattern_error.ts";
import { checkRegisters } from "./registers.ts";

/** How strictly to read a pattern. */
export interface ParseOptions {
  /** `"wayeb"` accepts what Wayeb accepts and does what it does (extra operands dropped). */
  readonly compat?: "wayeb";
}

const REGEX_START = ["';('", "'+('", "'*('", "'!('", "'#('", "'@('", "a condition"];
const CONDITION_START = ["'^('", "'|('", "'-'", "a predicate name"];
const SUFFIXES = ["order", "partitionBy", "window", "windowType"] as const;

/** Parses a file of patterns separated by `&`; throws `PatternError` pointing at the problem. */
export function parsePatterns(source: string, options: ParseOptions = {}): ParsedPattern[] {
  const cursor = new TokenCursor(tokenize(source));
  const patterns = [readPattern(cursor, options)];
  while (cursor.accept("&")) patterns.push(readPattern(cursor, options));
  if (cursor.peek().kind !== "end") cursor.fail(["'{'", "'&'", "end of input"]);
  return patterns;
}

/** Parses a file holding exactly one pattern (what a forecasting model is built from). */
export function parsePattern(source: string, options: ParseOptions = {}): ParsedPattern {
  const cursor = new TokenCursor(tokenize(source));
  const pattern = readPattern(cursor, options);
  if (cursor.at("&")) {
    throw new PatternError(
      cursor.peek(),
      "a forecasting model takes one pattern, but '&' starts another",
    );
  }
  if (cursor.peek().kind !== "end") cursor.fail(["'{'", "end of input"]);
  return pattern;
}

function readPattern(cursor: TokenCursor, options: ParseOptions): ParsedPattern {
  const regex = readRegex(cursor, options);
  checkRegisters(regex);
  return { regex, ...readSuffixes(cursor) };
}

function readRegex(cursor: TokenCursor, options: ParseOptions): Regex {
  const token = cursor.peek();
  const read = (c: TokenCursor) => readRegex(c, options);
  if (token.kind === "punct") {
    switch (token.text) {
      case ";":
        return { kind: "sequence", parts: readOperands(cursor, read, 2) };
      case "+":
        return { kind: "choice", parts: readOperands(cursor, read, 2) };
      case "*":
        return { kind: "star", body: readUnary(cursor, read, options) };
      case "!":
        return { kind: "complement", body: readUnary(cursor, read, options) };
      case "#":
        return { kind: "skipTillAny", body: readOperands(cursor, read, 1, 1)[0] };
      case "@":
        return { kind: "skipTillNext", body: readOperands(cursor, read, 1, 1)[0] };
    }
  }
  if (!startsCondition(cursor)) cursor.fail(REGEX_START);
  const condition = readCondition(cursor);
  const register = readRegisterDeclaration(cursor);
  return register === undefined
    ? { kind: "condition", condition }
    : { kind: "condition", condition, register };
}

function startsCondition(cursor: TokenCursor): boolean {
  const token = cursor.peek();
  return token.kind === "word" ||
    (token.kind === "punct" && (token.text === "^" || token.text === "|" || token.text === "-"));
}

function readCondition(cursor: TokenCursor): Condition {
  if (cursor.at("^")) return { kind: "and", operands: readOperands(cursor, readCondition, 2) };
  if (cursor.at("|")) return { kind: "or", operands: readOperands(cursor, readCondition, 2) };
  if (cursor.accept("-")) return { kind: "not", operand: readCondition(cursor) };
  if (cursor.peek().kind !== "word") cursor.fail(CONDITION_START);
  return { kind: "predicate", call: readPredicateCall(cursor) };
}

/** `["x"]` after a condition: the register its event is stored in. */
function readRegisterDeclaration(cursor: TokenCursor): Register | undefined {
  if (!cursor.accept("[")) return undefined;
  const name = cursor.peek();
  if (name.kind !== "register") cursor.fail(["a double-quoted register name"]);
  cursor.next();
  cursor.expect("]");
  return { name: name.text, line: name.line, column: name.column };
}

/** Reads `Name(arg,...)`, or `Name` alone for no arguments; shared with declarations. */
export function readPredicateCall(cursor: TokenCursor): PredicateCall {
  const name = cursor.peek();
  if (name.kind !== "word" || !/^[A-Za-z_]/.test(name.text)) cursor.fail(["a predicate name"]);
  cursor.next();
  const args: PredicateArg[] = [];
  if (cursor.accept("(") && !cursor.accept(")")) {
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
    case "register":
      cursor.next();
      return { kind: "register", value: token.text };
    default:
      return cursor.fail(["an argument"]);
  }
}

/** The operator token, then `(` right after it (no space, as Wayeb reads them as one token). */
function openOperator(cursor: TokenCursor): Token {
  const operator = cursor.next();
  const paren = cursor.peek();
  if (
    paren.kind === "punct" && paren.text === "(" &&
    (paren.line !== operator.line || paren.column !== operator.column + 1)
  ) {
    throw new PatternError(
      operator,
      `no space may come between '${operator.text}' and '(': write '${operator.text}('`,
    );
  }
  cursor.expect("(");
  return operator;
}

/** `op(x, y, ...)` with between `min` and `max` operands. */
function readOperands<T>(
  cursor: TokenCursor,
  read: (cursor: TokenCursor) => T,
  min: number,
  max = Infinity,
): T[] {
  const operator = openOperator(cursor);
  const items: T[] = [];
  do items.push(read(cursor)); while (items.length < max && cursor.accept(","));
  if (!cursor.accept(")")) cursor.fail(items.length < max ? ["','", "')'"] : ["')'"]);
  if (items.length < min) {
    throw new PatternError(
      operator,
      `'${operator.text}(' needs at least ${min} operands: current value is ${items.length}`,
    );
  }
  return items;
}

/** `*(x)` or `!(x)`; under Wayeb compatibility further operands are read and dropped. */
function readUnary(
  cursor: TokenCursor,
  read: (cursor: TokenCursor) => Regex,
  options: ParseOptions,
): Regex {
  if (options.compat !== "wayeb") return readOperands(cursor, read, 1, 1)[0];
  return readOperands(cursor, read, 1)[0];
}

function readSuffixes(cursor: TokenCursor): Omit<ParsedPattern, "regex"> {
  let order: number | null = null;
  let partitionBy: string | null = null;
  let windowSize = 0;
  let windowType: WindowType = "count";
  let rank = -1;
  while (cursor.at("{")) {
    if (rank === SUFFIXES.length - 1) cursor.fail(["'&'", "end of input"]);
    const brace = cursor.next();
    const nameToken = cursor.peek();
    const allowed = SUFFIXES.slice(rank + 1);
    const name = allowed.find((s) => nameToken.kind === "word" && nameToken.text === s);
    if (name === undefined) cursor.fail(allowed.map((s) => `'${s}'`));
    if (nameToken.line !== brace.line || nameToken.column !== brace.column + 1) {
      throw new PatternError(brace, `no space may come between '{' and '${name}'`);
    }
    cursor.next();
    cursor.expect(":");
    const value = cursor.peek();
    rank = SUFFIXES.indexOf(name);
    switch (name) {
      case "order":
        order = readInteger(cursor, "order", 0);
        break;
      case "partitionBy":
        if (value.kind !== "word" || !/^[a-z]/.test(value.text)) {
          cursor.fail(["an attribute name starting with a lowercase letter"]);
        }
        partitionBy = cursor.next().text;
        break;
      case "window":
        windowSize = readInteger(cursor, "window", 0);
        break;
      case "windowType":
        if (value.kind !== "word" || (value.text !== "count" && value.text !== "time")) {
          cursor.fail(["'count'", "'time'"]);
        }
        windowType = cursor.next().text as WindowType;
        break;
    }
    cursor.expect("}");
  }
  // `{window:0}` means no window, and a window type alone is accepted, as in Wayeb.
  const window = windowSize === 0 ? null : { size: windowSize, type: windowType };
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
