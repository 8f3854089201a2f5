/**
 * Inputs Wayeb refuses and Retune deliberately accepts, each with its reason. The runner reports
 * an error case listed here as `extension` when Retune accepts it; README lists the same.
 *
 * @module
 */

/** Case folder -> why Retune accepts what Wayeb refuses. */
export const EXTENSIONS: Readonly<Record<string, string>> = {
  "cases/54-decl-no-comma":
    "declaration groups may be separated by whitespace alone (Retune's own files are written so)",
  "cases/55-decl-comment": "comments (# or // to the end of the line) document declarations",
  "cases/86-syntax-comment-line": "comments (# or // to the end of the line) document patterns",
};
