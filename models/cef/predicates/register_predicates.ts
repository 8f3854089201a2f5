/**
 * Wayeb's register predicates: they compare an attribute of the current event with the same
 * attribute of the event stored in a register (`EQAttr(speed,"x")`). They are false while the
 * register is empty or when either event lacks the attribute. `EventType` and `Timestamp` read
 * the event's type and time (seconds) when no attribute of that name is present.
 *
 * @module
 */

import type { AttributeValue, StreamEvent } from "../../../core/events.ts";
import type { PredicateCall } from "../pattern/ast.ts";
import { PatternError } from "../pattern/pattern_error.ts";

/** A register predicate: the current event, and the stored one (undefined while empty). */
export type RegisterTest = (event: StreamEvent, stored: StreamEvent | undefined) => boolean;

const COMPARISONS: Readonly<Record<string, (a: AttributeValue, b: AttributeValue) => boolean>> = {
  EQAttr: (a, b) => Number(a) === Number(b),
  GTAttr: (a, b) => Number(a) > Number(b),
  LTAttr: (a, b) => Number(a) < Number(b),
  EQAttrStr: (a, b) => String(a) === String(b),
};

/** The register a call reads, and its test; throws `PatternError` for a bad call. */
export function registerTestOf(call: PredicateCall): { register: string; test: RegisterTest } {
  const compare = COMPARISONS[call.name];
  if (compare === undefined) {
    throw new PatternError(
      call,
      `${call.name} cannot read a register; the register predicates are ${
        Object.keys(COMPARISONS).join(", ")
      }`,
    );
  }
  const [attribute, register] = call.args;
  if (call.args.length !== 2 || attribute.kind !== "text" || register.kind !== "register") {
    throw new PatternError(
      call,
      `${call.name} expects an attribute and a register, e.g. ${call.name}(speed,"x")`,
    );
  }
  const name = attribute.value;
  return {
    register: register.value,
    test: (event, stored) => {
      if (stored === undefined) return false;
      const a = attributeOf(event, name);
      const b = attributeOf(stored, name);
      return a !== undefined && b !== undefined && compare(a, b);
    },
  };
}

/** The event's attribute `name`, falling back to its type and time for the built-ins. */
function attributeOf(event: StreamEvent, name: string): AttributeValue | undefined {
  const value = event.attributes[name];
  if (value !== undefined) return value;
  if (name === "EventType") return event.type;
  if (name === "Timestamp") return event.timestamp / 1000;
  return undefined;
}
