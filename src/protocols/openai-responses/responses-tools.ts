import type { ToolChoice, ToolDefinition } from "../../core/canonical.js";
import { rememberFrozen } from "../../util/remember-frozen.js";
import { checkPart } from "../request-validation.js";
import {
  type CustomTool,
  customTool,
  type FunctionTool,
  functionTool,
  namespaceTool,
  type ResponsesRequest,
} from "./responses-request-schema.js";

/** What a tool name the model sees stands for in the client's terms. */
export interface ClientTool {
  readonly name: string;
  /** The `namespace` tool it belongs to. */
  readonly namespace?: string;
  /** A `custom` tool: its free-text input travels as the one string argument `input`. */
  readonly custom: boolean;
}

/**
 * The client's tools as the model sees them, and the way back.
 * - A `function` tool is itself.
 * - A `custom` tool (free-text input: Codex's `apply_patch` for some models) becomes a function of one
 *   string argument, `input`; its grammar, if any, goes into the description for the model to follow.
 * - The tools of a `namespace` tool are listed one by one, under their own names, or `namespace__name`
 *   where that name is taken; a call to one comes back naming the namespace, as OpenAI's do.
 * - Tools OpenAI runs itself (`web_search`, `file_search`, `code_interpreter`, …) have nothing a local
 *   model could call, and are left out, as llama-server's own /v1/responses leaves them out.
 */
export class ResponsesToolNames {
  readonly definitions: ToolDefinition[] = [];
  private readonly byModelName = new Map<string, ClientTool>();
  private readonly byClientName = new Map<string, string>();

  constructor(tools: ResponsesRequest["tools"]) {
    const flat: Array<{ tool: FunctionTool | CustomTool; namespace?: string }> = [];
    for (const [index, tool] of (tools ?? []).entries()) {
      if (tool.type === "function" || tool.type === "custom")
        flat.push({ tool: checkPart(tool.type === "function" ? functionTool : customTool, tool, ["tools", index]) });
      else if (tool.type === "namespace") {
        const group = checkPart(namespaceTool, tool, ["tools", index]);
        for (const inner of group.tools) flat.push({ tool: inner, namespace: group.name });
      }
    }
    const seen = new Map<string, number>();
    for (const { tool } of flat) seen.set(tool.name, (seen.get(tool.name) ?? 0) + 1);
    for (const { tool, namespace } of flat) {
      const modelName =
        namespace !== undefined && (seen.get(tool.name) ?? 0) > 1 ? `${namespace}__${tool.name}` : tool.name;
      const custom = tool.type === "custom";
      this.byModelName.set(modelName, { name: tool.name, namespace, custom });
      this.byClientName.set(clientKey(tool.name, namespace), modelName);
      this.definitions.push({
        name: modelName,
        description: describe(tool),
        inputSchema:
          tool.type === "custom"
            ? { type: "object", properties: { input: { type: "string" } }, required: ["input"] }
            : // OpenAI: leaving `parameters` out defines a function that takes no arguments.
              (tool.parameters ?? { type: "object", properties: {} }),
      });
    }
  }

  /** The name the model knows a client's tool by (for a call in the history); the client's own if none. */
  modelName(name: string, namespace?: string | null): string {
    return this.byClientName.get(clientKey(name, namespace ?? undefined)) ?? name;
  }

  /** What a name the model called stands for; a plain function when the model made the name up. */
  clientTool(modelName: string): ClientTool {
    return this.byModelName.get(modelName) ?? { name: modelName, custom: false };
  }
}

const knownTools = new WeakMap<object, ResponsesToolNames>();

/**
 * The names of a body's `tools` member (as the client sent it): a frozen list (one that came back byte
 * for byte) is checked and flattened only the first time, and the answer's encoder, asking again for the
 * same request, gets the names the parse made.
 */
export function toolNamesOf(tools: unknown): ResponsesToolNames {
  return rememberFrozen(knownTools, tools, () => new ResponsesToolNames(tools as ResponsesRequest["tools"]));
}

const clientKey = (name: string, namespace: string | undefined) => (namespace ? `${namespace}\u0000${name}` : name);

function describe(tool: FunctionTool | CustomTool): string {
  const description = tool.description ?? "";
  if (tool.type !== "custom") return description;
  const format = tool.format as { type: string; syntax?: unknown; definition?: unknown } | null | undefined;
  const grammar =
    format?.type === "grammar" && typeof format.definition === "string"
      ? `\n\nThe input follows this ${typeof format.syntax === "string" ? `${format.syntax} ` : ""}grammar:\n${format.definition}`
      : "";
  return `${description}${grammar}\n\nGive the whole input, as free text, in the string argument "input".`;
}

/** `tool_choice` in canonical terms; `allowed_tools` and hosted tool types leave the choice to the model. */
export function convertResponsesToolChoice(body: ResponsesRequest, names: ResponsesToolNames): ToolChoice | undefined {
  const parallel = body.parallel_tool_calls ?? true;
  const choice = body.tool_choice;
  if (choice === "none") return { type: "none" };
  if (choice === "required") return { type: "any", parallel };
  if (choice === "auto") return { type: "auto", parallel };
  if (choice && (choice.type === "function" || choice.type === "custom") && typeof choice.name === "string")
    return { type: "tool", name: names.modelName(choice.name), parallel };
  if (choice || (body.parallel_tool_calls === false && names.definitions.length > 0)) return { type: "auto", parallel };
  return undefined;
}
