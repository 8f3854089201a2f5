/**
 * Checks a pattern's registers as Wayeb does while parsing: each register is declared once
 * (`Cond["x"]`), and every register an argument reads (`"x"`) is declared in the pattern.
 *
 * @module
 */

import type { Condition, PredicateCall, Regex, Register } from "./ast.ts";
import { PatternError } from "./pattern_error.ts";

/** Throws `PatternError` at a repeated declaration or at a read of an undeclared register. */
export function checkRegisters(regex: Regex): void {
  const declared = new Map<string, Register>();
  const reads: PredicateCall[] = [];
  walk(regex, declared, reads);
  for (const call of reads) {
    for (const arg of call.args) {
      if (arg.kind === "register" && !declared.has(arg.value)) {
        throw new PatternError(
          call,
          `${call.name} reads register "${arg.value}", which the pattern never declares ` +
            `(declare it after a condition: Cond["${arg.value}"])`,
        );
      }
    }
  }
}

function walk(regex: Regex, declared: Map<string, Register>, reads: PredicateCall[]): void {
  switch (regex.kind) {
    case "condition":
      callsOf(regex.condition, reads);
      if (regex.register !== undefined) {
        const known = declared.get(regex.register.name);
        if (known !== undefined) {
          throw new PatternError(
            regex.register,
            `register "${regex.register.name}" is already declared at line ${known.line}, ` +
              `column ${known.column}`,
          );
        }
        declared.set(regex.register.name, regex.register);
      }
      return;
    case "empty":
      return;
    case "sequence":
    case "choice":
      for (const part of regex.parts) walk(part, declared, reads);
      return;
    default:
      walk(regex.body, declared, reads);
  }
}

function callsOf(condition: Condition, into: PredicateCall[]): void {
  switch (condition.kind) {
    case "predicate":
      into.push(condition.call);
      return;
    case "not":
      callsOf(condition.operand, into);
      return;
    default:
      for (const operand of condition.operands) callsOf(operand, into);
  }
}
