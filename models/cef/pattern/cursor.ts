/**
 * A read position in a token list with the checks the parsers share, so that every "expected
 * X but found Y" error is worded the same way.
 *
 * @module
 */

import { describeToken, type Token } from "./lexer.ts";
import { PatternError } from "./pattern_error.ts";

/** Walks a token list produced by `tokenize`. */
export class TokenCursor {
  readonly #tokens: readonly Token[];
  #index = 0;

  /** `tokens` must end with an `end` token. */
  constructor(tokens: readonly Token[]) {
    this.#tokens = tokens;
  }

  /** The current token, not consumed. */
  peek(): Token {
    return this.#tokens[this.#index];
  }

  /** Consumes and returns the current token. */
  next(): Token {
    const token = this.#tokens[this.#index];
    if (token.kind !== "end") this.#index++;
    return token;
  }

  /** True when the current token is the punctuation `text`. */
  at(text: string): boolean {
    const token = this.peek();
    return token.kind === "punct" && token.text === text;
  }

  /** True (and consumed) when the current token is the punctuation `text`. */
  accept(text: string): boolean {
    if (!this.at(text)) return false;
    this.#index++;
    return true;
  }

  /** Consumes the punctuation `text` or fails naming it. */
  expect(text: string): Token {
    const token = this.peek();
    if (token.kind !== "punct" || token.text !== text) this.fail([`'${text}'`]);
    return this.next();
  }

  /** Throws `expected A, B or C but found X` at the current token. */
  fail(expected: readonly string[]): never {
    const token = this.peek();
    throw new PatternError(token, `expected ${listOf(expected)} but found ${describeToken(token)}`);
  }
}

/** `a`, `a or b`, `a, b or c`. */
function listOf(items: readonly string[]): string {
  return items.length === 1
    ? items[0]
    : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}
