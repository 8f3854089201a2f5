/**
 * The non-deterministic automaton with registers (Wayeb's `nsra`): a Thompson construction whose
 * edges test one event against the registers, and may store it in a register. Complement has no
 * meaning over registers, so `!(...)` and skip-till-next (built from a complement) are refused.
 *
 * @module
 */

import type { StreamEvent } from "../../../core/events.ts";
import type { Condition, Regex } from "../pattern/ast.ts";
import { PatternError } from "../pattern/pattern_error.ts";
import { type AttributeNeed, mergeNeeds } from "../predicates/attribute_need.ts";
import { registerTestOf } from "../predicates/register_predicates.ts";
import type { PredicateRegistry } from "../predicates/registry.ts";

/** Registers by name: the event each one holds. */
export type Registers = ReadonlyMap<string, StreamEvent>;

/**
 * An edge taken on an event that passes `test`; `store` names the register it fills; `sentence`
 * is the condition as written, so edges testing the same condition can be told apart from others.
 */
export interface RegisterEdge {
  readonly test: (event: StreamEvent, registers: Registers) => boolean;
  readonly sentence: string;
  readonly store: string | undefined;
  readonly to: number;
}

/** States with test edges and epsilon edges; `start` to `end` is the pattern. */
export interface RegisterNfa {
  readonly edges: RegisterEdge[][];
  readonly epsilon: number[][];
  readonly start: number;
  readonly end: number;
  /** What the pattern's plain predicates read of an event. */
  readonly needs: readonly AttributeNeed[];
}

/** Builds the register automaton of `regex` (selections already expanded). */
export function buildRegisterNfa(regex: Regex, registry: PredicateRegistry): RegisterNfa {
  const edges: RegisterEdge[][] = [];
  const epsilon: number[][] = [];
  const needs: AttributeNeed[] = [];
  const state = () => {
    edges.push([]);
    epsilon.push([]);
    return edges.length - 1;
  };
  const testOf = (condition: Condition): RegisterEdge["test"] => {
    switch (condition.kind) {
      case "predicate": {
        const { call } = condition;
        if (call.args.some((arg) => arg.kind === "register")) {
          const { register, test } = registerTestOf(call);
          return (event, registers) => test(event, registers.get(register));
        }
        const resolved = registry.resolve(call);
        if (resolved.kind === "constant") return () => resolved.value;
        const base = resolved.kind === "test" ? resolved : resolved.of;
        needs.push(...base.reads);
        return resolved.kind === "test" ? (e) => base.test(e) : (e) => !base.test(e);
      }
      case "not": {
        const operand = testOf(condition.operand);
        return (e, r) => !operand(e, r);
      }
      case "and": {
        const operands = condition.operands.map(testOf);
        return (e, r) => operands.every((t) => t(e, r));
      }
      case "or": {
        const operands = condition.operands.map(testOf);
        return (e, r) => operands.some((t) => t(e, r));
      }
    }
  };
  const build = (regex: Regex): { start: number; end: number } => {
    const start = state();
    const end = state();
    switch (regex.kind) {
      case "condition":
        edges[start].push({
          test: testOf(regex.condition),
          sentence: sentenceOf(regex.condition),
          store: regex.register?.name,
          to: end,
        });
        break;
      case "empty":
        epsilon[start].push(end);
        break;
      case "sequence":
      case "choice": {
        const parts = regex.parts.map(build);
        if (regex.kind === "choice") {
          for (const part of parts) epsilon[start].push(part.start), epsilon[part.end].push(end);
        } else {
          epsilon[start].push(parts[0].start);
          parts.forEach((part, i) => epsilon[part.end].push(parts[i + 1]?.start ?? end));
        }
        break;
      }
      case "star": {
        const body = build(regex.body);
        epsilon[start].push(body.start, end);
        epsilon[body.end].push(body.start, end);
        break;
      }
      default:
        throw new PatternError(
          firstPosition(regex),
          "negation and skip-till-next cannot be used with registers (--fsm-model nsra)",
        );
    }
    return { start, end };
  };
  const { start, end } = build(regex);
  return { edges, epsilon, start, end, needs: mergeNeeds(needs) };
}

/** A condition as text, in the pattern language: equal conditions give equal text. */
export function sentenceOf(condition: Condition): string {
  switch (condition.kind) {
    case "predicate": {
      const args = condition.call.args.map((arg) =>
        arg.kind === "register" ? `"${arg.value}"` : String(arg.value)
      );
      return `${condition.call.name}(${args.join(",")})`;
    }
    case "not":
      return `-${sentenceOf(condition.operand)}`;
    case "and":
    case "or": {
      const operands = condition.operands.map(sentenceOf).join(",");
      return `${condition.kind === "and" ? "^" : "|"}(${operands})`;
    }
  }
}

/** Where a construct's first predicate is written, for error messages. */
function firstPosition(regex: Regex): { line: number; column: number } {
  switch (regex.kind) {
    case "condition": {
      let condition = regex.condition;
      while (condition.kind !== "predicate") {
        condition = condition.kind === "not" ? condition.operand : condition.operands[0];
      }
      return condition.call;
    }
    case "empty":
      return { line: 1, column: 1 };
    case "sequence":
    case "choice":
      return firstPosition(regex.parts[0]);
    default:
      return firstPosition(regex.body);
  }
}
