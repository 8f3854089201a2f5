/**
 * The syntax tree of a Wayeb-compatible pattern and of a declarations file, as the parser
 * produces it: nothing here is resolved against the predicate registry yet.
 *
 * @module
 */

/** Where a construct starts in its source text (1-based). */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * A predicate argument: numbers are written with a dot (`5.0`), a double-quoted name (`"x"`) reads
 * a register, anything else is text.
 */
export type PredicateArg =
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "text"; readonly value: string }
  | { readonly kind: "register"; readonly value: string };

/** A predicate applied to its arguments, e.g. `GT(speed,5.0)`. */
export interface PredicateCall extends Position {
  readonly name: string;
  readonly args: readonly PredicateArg[];
}

/** A register named in a pattern (`["x"]` declares it, `"x"` reads it). */
export interface Register extends Position {
  readonly name: string;
}

/** A condition on one event: `^(p,q)` and, `|(p,q)` or, `-p` not, or a predicate. */
export type Condition =
  | { readonly kind: "predicate"; readonly call: PredicateCall }
  | { readonly kind: "and"; readonly operands: readonly Condition[] }
  | { readonly kind: "or"; readonly operands: readonly Condition[] }
  | { readonly kind: "not"; readonly operand: Condition };

/**
 * A regular expression over conditions. A condition may store the event it matched in a
 * register (`Cond["x"]`). `skipTillAny` (`#(R)`) and `skipTillNext` (`@(R)`) are selection
 * strategies, expanded before compiling (`selection.ts`); `empty` (the empty sequence) is only
 * produced by that expansion.
 */
export type Regex =
  | { readonly kind: "condition"; readonly condition: Condition; readonly register?: Register }
  | { readonly kind: "empty" }
  | { readonly kind: "skipTillAny"; readonly body: Regex }
  | { readonly kind: "skipTillNext"; readonly body: Regex }
  | { readonly kind: "sequence"; readonly parts: readonly Regex[] }
  | { readonly kind: "choice"; readonly parts: readonly Regex[] }
  | { readonly kind: "star"; readonly body: Regex }
  | { readonly kind: "complement"; readonly body: Regex };

/** How a window is measured: in events of the partition, or in stream time. */
export type WindowType = "count" | "time";

/** A pattern with its optional suffixes. */
export interface ParsedPattern {
  readonly regex: Regex;
  /** `{order:m}` */
  readonly order: number | null;
  /** `{partitionBy:attr}` */
  readonly partitionBy: string | null;
  /** `{window:N}{windowType:count|time}`; the type defaults to `count`; `{window:0}` is none. */
  readonly window: { readonly size: number; readonly type: WindowType } | null;
}

/** A declarations file: extra predicates and mutually exclusive groups. */
export interface Declarations {
  /** `+(p,q,...)`: predicates that refine the alphabet. */
  readonly extras: readonly PredicateCall[];
  /** `~(p,q,...)`: at most one predicate of each group is true for any event. */
  readonly exclusive: readonly (readonly PredicateCall[])[];
}
