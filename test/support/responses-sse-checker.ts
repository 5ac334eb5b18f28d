/**
 * A strict reader of an OpenAI Responses stream (https://platform.openai.com/docs/api-reference/responses-streaming),
 * for the gateway's own streams and the recorder's scripted ones. It folds the events into the output items
 * and lists every way the stream breaks the rules a client relies on:
 * - each frame is `event: <type>` then `data: {…}` of that type, `sequence_number` counting from 0;
 * - `response.created` first; exactly one of `response.completed`, `response.incomplete` or `response.failed`
 *   last;
 * - an item is added at the next output index before anything refers to it, and done once;
 * - a text or reasoning delta goes to a part added before it (what openai-node's accumulator requires),
 *   arguments deltas to a function call;
 * - every `.done` carries exactly what its deltas added up to, and the final response's output is the done
 *   items, in order (a failure's output may leave out what was still open);
 * - a completed response's usage adds up.
 */
export interface ResponsesStreamCheck {
  violations: string[];
  /** The last event's type. */
  ending: string | undefined;
  /** The terminal event's `response`. */
  response: Record<string, unknown> | undefined;
  /** The items as `response.output_item.done` gave them, by output index. */
  items: Array<Record<string, unknown>>;
}

interface Open {
  item: Record<string, unknown>;
  parts: Array<{ type: string; text: string }>;
  arguments: string;
  done: boolean;
}

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

export function checkResponsesStream(text: string): ResponsesStreamCheck {
  const violations: string[] = [];
  const open: Open[] = [];
  const items: Array<Record<string, unknown>> = [];
  let ending: string | undefined;
  let response: Record<string, unknown> | undefined;
  const frames = text.split("\n\n").filter((frame) => frame.trim() !== "" && !frame.startsWith(":"));
  frames.forEach((frame, index) => {
    const at = `event ${index}`;
    const name = /^event: (.+)$/m.exec(frame)?.[1];
    const data = /^data: (.+)$/m.exec(frame)?.[1];
    let event: Record<string, unknown> & { type?: string };
    try {
      event = JSON.parse(data ?? "") as typeof event;
    } catch {
      violations.push(`${at}: data is not JSON`);
      return;
    }
    const type = String(event.type);
    if (name !== type) violations.push(`${at}: named ${name} but of type ${type}`);
    if (event.sequence_number !== index) violations.push(`${at}: sequence_number ${event.sequence_number}`);
    if (index === 0 && type !== "response.created") violations.push(`${at}: the stream opens with ${type}`);
    if (ending !== undefined && TERMINAL.has(ending)) violations.push(`${at}: ${type} after ${ending}`);
    ending = type;
    const target = open[Number(event.output_index)];
    const refers = (kind: string) => {
      if (!target) violations.push(`${at}: ${type} for output ${event.output_index}, never added`);
      else if (target.item.type !== kind) violations.push(`${at}: ${type} for a ${String(target.item.type)} item`);
      else if ("item_id" in event && event.item_id !== target.item.id)
        violations.push(`${at}: item_id ${event.item_id}`);
      return target?.item.type === kind ? target : undefined;
    };
    const part = (kind: string, partType: string) => {
      const item = refers(kind);
      const found = item?.parts[Number(event.content_index)];
      if (item && found?.type !== partType) violations.push(`${at}: ${type} to no ${partType} part`);
      return found?.type === partType ? found : undefined;
    };
    switch (type) {
      case "response.output_item.added": {
        const item = event.item as Record<string, unknown>;
        if (event.output_index !== open.length) violations.push(`${at}: added at ${event.output_index}`);
        if (typeof item?.id !== "string" || item.id === "") violations.push(`${at}: an item without an id`);
        if (item?.type === "function_call" && !item.call_id) violations.push(`${at}: a function call without call_id`);
        open.push({ item, parts: [], arguments: "", done: false });
        return;
      }
      case "response.content_part.added": {
        const item = refers(target?.item.type === "reasoning" ? "reasoning" : "message");
        const added = event.part as { type: string; text: string };
        if (item && event.content_index !== item.parts.length) violations.push(`${at}: part at ${event.content_index}`);
        item?.parts.push({ type: added.type, text: added.text ?? "" });
        return;
      }
      case "response.output_text.delta":
      case "response.reasoning_text.delta": {
        const text = type === "response.output_text.delta";
        const found = text ? part("message", "output_text") : part("reasoning", "reasoning_text");
        if (found) found.text += String(event.delta);
        return;
      }
      case "response.output_text.done":
      case "response.reasoning_text.done": {
        const text = type === "response.output_text.done";
        const found = text ? part("message", "output_text") : part("reasoning", "reasoning_text");
        if (found && found.text !== event.text) violations.push(`${at}: done text differs from its deltas`);
        return;
      }
      case "response.function_call_arguments.delta":
        if (refers("function_call")) (target as Open).arguments += String(event.delta);
        return;
      case "response.function_call_arguments.done":
        if (refers("function_call") && (target as Open).arguments !== event.arguments)
          violations.push(`${at}: done arguments differ from their deltas`);
        return;
      case "response.output_item.done": {
        const item = event.item as Record<string, unknown>;
        if (!target) violations.push(`${at}: done for output ${event.output_index}, never added`);
        else if (target.done) violations.push(`${at}: output ${event.output_index} done twice`);
        else if (item.id !== target.item.id || item.type !== target.item.type)
          violations.push(`${at}: done item is not the one added`);
        else {
          const texts = (item.content as Array<{ text?: string }> | undefined)?.map((content) => content.text ?? "");
          if (item.type !== "function_call" && texts && texts.join("") !== target.parts.map((p) => p.text).join(""))
            violations.push(`${at}: done item's text differs from its deltas`);
          if (item.type === "function_call" && target.arguments !== "" && item.arguments !== target.arguments)
            violations.push(`${at}: done call's arguments differ from their deltas`);
          target.done = true;
          items[Number(event.output_index)] = item;
        }
        return;
      }
      default:
        if (TERMINAL.has(type) || type === "response.created" || type === "response.in_progress")
          response = event.response as Record<string, unknown>;
    }
  });
  if (ending === undefined || !TERMINAL.has(ending))
    violations.push(`the stream ends with ${ending}, not a final event`);
  else {
    const output = (response?.output ?? []) as unknown[];
    const finished = items.filter((item) => item !== undefined);
    if (ending !== "response.failed" && open.some((each) => !each.done)) violations.push("an item was never done");
    if (JSON.stringify(output) !== JSON.stringify(finished)) violations.push("the final output is not the done items");
    const usage = response?.usage as { input_tokens: number; output_tokens: number; total_tokens: number } | null;
    if (ending === "response.completed" && (!usage || usage.total_tokens !== usage.input_tokens + usage.output_tokens))
      violations.push("a completed response without usage that adds up");
  }
  return { violations, ending, response, items };
}
