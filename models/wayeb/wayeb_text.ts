/**
 * Writes patterns and declarations in the exact syntax Wayeb 0.6 reads, from Retune's parse of
 * them, so files using Retune's extensions (comments, declaration groups without commas) reach
 * the jar in a form it accepts: no comments, groups separated by commas, numbers with a dot, and
 * the pattern's `{order:m}` set to the candidate's order (Wayeb takes the PST depth from it).
 *
 * @module
 */

import type {
  Condition,
  ParsedPattern,
  PredicateArg,
  PredicateCall,
  Regex,
} from "../cef/pattern/ast.ts";
import { parseDeclarations } from "../cef/pattern/declarations.ts";
import { parsePattern } from "../cef/pattern/parser.ts";

/** The one pattern of `source`, in Wayeb's syntax, with `{order:order}`. */
export function wayebPattern(source: string, order: number): string {
  if (!Number.isInteger(order) || order < 0) {
    throw new RangeError(`order must be a non-negative integer: current value is ${order}`);
  }
  const parsed: ParsedPattern = parsePattern(source);
  let text = regexText(parsed.regex) + `{order:${order}}`;
  if (parsed.partitionBy !== null) text += `{partitionBy:${parsed.partitionBy}}`;
  if (parsed.window !== null) {
    text += `{window:${parsed.window.size}}{windowType:${parsed.window.type}}`;
  }
  return text + "\n";
}

/** The declarations of `source` in Wayeb's syntax: one group a line, separated by commas. */
export function wayebDeclarations(source: string): string {
  const { extras, exclusive } = parseDeclarations(source);
  const groups = [
    ...(extras.length > 0 ? [`+(${extras.map(callText).join(",")})`] : []),
    ...exclusive.map((group) => `~(${group.map(callText).join(",")})`),
  ];
  return groups.join(",\n") + "\n";
}

function regexText(regex: Regex): string {
  switch (regex.kind) {
    case "condition":
      return conditionText(regex.condition) +
        (regex.register === undefined ? "" : `["${regex.register.name}"]`);
    case "sequence":
      return `;(${regex.parts.map(regexText).join(",")})`;
    case "choice":
      return `+(${regex.parts.map(regexText).join(",")})`;
    case "star":
      return `*(${regexText(regex.body)})`;
    case "complement":
      return `!(${regexText(regex.body)})`;
    case "skipTillAny":
      return `#(${regexText(regex.body)})`;
    case "skipTillNext":
      return `@(${regexText(regex.body)})`;
    case "empty":
      throw new RangeError("the empty sequence has no Wayeb syntax");
  }
}

function conditionText(condition: Condition): string {
  switch (condition.kind) {
    case "predicate":
      return callText(condition.call);
    case "not":
      return `-${conditionText(condition.operand)}`;
    case "and":
      return `^(${condition.operands.map(conditionText).join(",")})`;
    case "or":
      return `|(${condition.operands.map(conditionText).join(",")})`;
  }
}

function callText(call: PredicateCall): string {
  return `${call.name}(${call.args.map((arg) => argText(call, arg)).join(",")})`;
}

function argText(call: PredicateCall, arg: PredicateArg): string {
  switch (arg.kind) {
    case "register":
      return `"${arg.value}"`;
    case "number":
      return numberText(arg.value);
    case "text":
      if (!/^[A-Za-z0-9_]+$/.test(arg.value)) {
        throw new RangeError(
          `${call.name}: Wayeb can only read a word as text: current value is '${arg.value}'`,
        );
      }
      return arg.value;
  }
}

/** A number with a dot and no exponent, as Wayeb's grammar requires (`5.0`, `0.0001`). */
function numberText(value: number): string {
  if (Number.isInteger(value)) return value.toFixed(1);
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(20).replace(/0+$/, "") : text;
}
