/**
 * The error every pattern or declarations problem is reported with, pointing at the place in
 * the source text so that users can fix their files.
 *
 * @module
 */

import type { Position } from "./ast.ts";

/** A pattern or declarations error at a line and column (1-based). */
export class PatternError extends SyntaxError {
  readonly line: number;
  readonly column: number;

  /** Prefixes `detail` with the position, e.g. `line 1, column 14: expected ...`. */
  constructor(at: Position, detail: string) {
    super(`line ${at.line}, column ${at.column}: ${detail}`);
    this.name = "PatternError";
    this.line = at.line;
    this.column = at.column;
  }
}
