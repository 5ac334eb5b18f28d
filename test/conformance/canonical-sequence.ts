import type { CanonicalEvent } from "../../src/core/canonical.js";

/**
 * The rules of a canonical event stream, as src/core/canonical.ts states them: `message_start` first and
 * once; blocks numbered 0, 1, 2… in order, each started before its deltas and ended once, one open at a
 * time; deltas that fit their block; and exactly one final `done` or `error`, nothing after it.
 * Returns the broken rules (empty when the stream is valid).
 */
export function canonicalViolations(events: readonly CanonicalEvent[]): string[] {
  const violations: string[] = [];
  const blockTypes = new Map<number, string>();
  let open: number | undefined;
  let nextIndex = 0;
  let ended = false;
  for (const [position, event] of events.entries()) {
    const where = `event ${position} (${event.type})`;
    if (ended) violations.push(`${where} comes after the final event`);
    if (position === 0 && event.type !== "message_start")
      violations.push(`${where}: the first event is not message_start`);
    switch (event.type) {
      case "message_start":
        if (position !== 0) violations.push(`${where}: message_start again`);
        break;
      case "block_start":
        if (open !== undefined) violations.push(`${where}: block ${open} is still open`);
        if (event.index !== nextIndex) violations.push(`${where}: index ${event.index}, expected ${nextIndex}`);
        blockTypes.set(event.index, event.block.type);
        open = event.index;
        nextIndex = event.index + 1;
        break;
      case "block_delta": {
        if (open !== event.index) violations.push(`${where}: delta for block ${event.index}, open is ${open}`);
        const type = blockTypes.get(event.index);
        const fits =
          (type === "text" && event.delta.type === "text") ||
          (type === "thinking" && (event.delta.type === "thinking" || event.delta.type === "signature")) ||
          (type === "tool_call" && event.delta.type === "tool_input");
        if (!fits) violations.push(`${where}: a ${event.delta.type} delta in a ${type} block`);
        break;
      }
      case "block_end":
        if (open !== event.index) violations.push(`${where}: ends block ${event.index}, open is ${open}`);
        open = undefined;
        break;
      case "done":
      case "error":
        if (open !== undefined && event.type === "done") violations.push(`${where}: block ${open} was never ended`);
        ended = true;
        break;
      default: {
        const never: never = event;
        violations.push(`unknown event ${JSON.stringify(never)}`);
      }
    }
  }
  if (!ended) violations.push("the stream has no final done or error event");
  return violations;
}
