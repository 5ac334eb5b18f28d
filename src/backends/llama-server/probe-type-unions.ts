import { singleSchemaTypes } from "./single-schema-types.js";

/** Renders a conversation with tools through the server's template; undefined when the server refuses it. */
export type ToolRenderProbe = (messages: unknown[], tools: unknown[]) => Promise<string | undefined>;

/** A tool whose one parameter is optional the way schemars and Pydantic write it: a type union with null. */
const UNION_TOOL = {
  type: "function",
  function: {
    name: "switchyard_probe",
    description: "Switchyard probe.",
    parameters: { type: "object", properties: { limit: { type: ["integer", "null"] } } },
  },
};

/**
 * Whether the server's template refuses a tool schema whose `type` is a union while it renders the same
 * tool with a single type: GigaChat 3's `ty in ["number", "integer"]` raises on a list, so every request
 * of Goose (its Anthropic provider sends unions) or of a client with such MCP tools failed on it. False
 * when the template renders both, and when it renders neither (tools are refused for another reason,
 * which reducing the unions would not mend).
 */
export async function refusesTypeUnions(render: ToolRenderProbe): Promise<boolean> {
  const messages = [{ role: "user", content: "Switchyard probe." }];
  const [union, single] = await Promise.all([
    render(messages, [UNION_TOOL]),
    render(messages, singleSchemaTypes([UNION_TOOL])),
  ]);
  return union === undefined && single !== undefined;
}
