/**
 * Splits pattern and declarations text into tokens with their positions. Comments run from
 * `//`, or from a `#` not followed by `(` (that is the skip-till-any operator), to the end of the
 * line. A `-` directly followed by a digit belongs to the number (`-4.47530`); anywhere else it
 * is the `not` operator. A double-quoted name (`"x"`) is a register, as in Wayeb; single quotes
 * enclose text (`'B C'`).
 *
 * @module
 */

import { PatternError } from "./pattern_error.ts";

/** What a token is. */
export type TokenKind = "punct" | "number" | "word" | "string" | "register" | "end";

/** One token; `text` is its spelling (for strings, the unquoted content). */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

const PUNCTUATION = new Set([
  ";",
  "+",
  "*",
  "!",
  "^",
  "|",
  "-",
  "~",
  "@",
  "&",
  "(",
  ")",
  ",",
  "{",
  "}",
  ":",
  "[",
  "]",
]);
const WORD_CHAR = /[A-Za-z0-9_.]/;
const NUMBER = /^-?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$/;
const WORD = /^-?[A-Za-z0-9_]+$/;

/** Tokenises `source`; the last token is always `end`. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = () => ({ line, column: i - lineStart + 1 });
  while (i < source.length) {
    const c = source[i];
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
    } else if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if ((c === "#" && source[i + 1] !== "(") || (c === "/" && source[i + 1] === "/")) {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === '"' || c === "'") {
      const at = here();
      const close = source.indexOf(c, i + 1);
      const newline = source.indexOf("\n", i + 1);
      if (close < 0 || (newline >= 0 && newline < close)) {
        throw new PatternError(at, `unterminated string: expected a closing ${c}`);
      }
      const kind = c === '"' ? "register" : "string";
      tokens.push({ kind, text: source.slice(i + 1, close), ...at });
      i = close + 1;
    } else if (WORD_CHAR.test(c) || (c === "-" && /[0-9.]/.test(source[i + 1] ?? ""))) {
      const at = here();
      let j = i + 1;
      while (j < source.length && WORD_CHAR.test(source[j])) j++;
      const text = source.slice(i, j);
      tokens.push({ kind: classify(text, at), text, ...at });
      i = j;
    } else if (PUNCTUATION.has(c) || c === "#") {
      tokens.push({ kind: "punct", text: c, ...here() });
      i++;
    } else {
      throw new PatternError(here(), `unexpected character '${c}'`);
    }
  }
  tokens.push({ kind: "end", text: "", ...here() });
  return tokens;
}

function classify(text: string, at: { line: number; column: number }): "number" | "word" {
  if (NUMBER.test(text)) return "number";
  if (WORD.test(text)) return "word";
  throw new PatternError(at, `malformed number or name '${text}'`);
}

/** How a token is shown in an error message. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case "end":
      return "end of input";
    case "string":
      return `'${token.text}'`;
    case "register":
      return JSON.stringify(token.text);
    default:
      return `'${token.text}'`;
  }
}
