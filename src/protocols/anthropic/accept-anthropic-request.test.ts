import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { acceptsAnthropicMessage, acceptsAnthropicRequest, acceptsAnthropicTools } from "./accept-anthropic-request.js";
import { anthropicMessageSchema, anthropicRequestSchema, anthropicToolsSchema } from "./anthropic-request-schema.js";

/** Every recorded Claude Code request body (test/fixtures/claude-code/README.md), and the documented content blocks. */
function recordedBodies(): Array<Record<string, unknown>> {
  const root = join(import.meta.dirname, "../../../test/fixtures/claude-code");
  const files: string[] = [];
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".json")) files.push(path);
    }
  };
  walk(root);
  return files
    .map((file) => JSON.parse(readFileSync(file, "utf8")) as { method?: string; body?: unknown })
    .filter((recorded) => recorded.method === "POST" && typeof recorded.body === "object" && recorded.body !== null)
    .map((recorded) => recorded.body as Record<string, unknown>);
}

const documentedBlocks = (): unknown[] => {
  const file = join(import.meta.dirname, "../../../test/fixtures/content-blocks/documented-blocks.json");
  const text = JSON.stringify(JSON.parse(readFileSync(file, "utf8")));
  // Every object in the file that has a `type` (blocks, sources, tools): enough variety to try as blocks.
  const found: unknown[] = [];
  JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === "object" && value !== null && "type" in value) found.push(value);
    return value;
  });
  return found;
};

/** Values to put in any field: the wrong type, the edge of a range, an empty one. */
const REPLACEMENTS: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  3,
  Number.NaN,
  "",
  "x",
  "text",
  "user",
  "auto",
  "enabled",
  "base64",
  true,
  [],
  [1],
  ["x"],
  {},
  { type: "x" },
  { type: "text", text: "hi" },
  { type: "thinking", thinking: "hm" },
  { type: "tool_use", id: "a", name: "b", input: {} },
  { type: 1 },
  Object.assign(Object.create(null), { a: 1 }),
  { constructor: "x" },
];

/** The value with `path` replaced by `replacement` (deleted when undefined); copies along the path only. */
function replaced(value: unknown, path: Array<string | number>, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  const next = replaced(copy[head], rest, replacement);
  if (next === undefined && !Array.isArray(copy)) delete copy[head];
  else copy[head] = next;
  return copy;
}

/** Every path into `value` up to `depth` levels, arrays by their first two elements, plus known optional fields. */
function paths(value: unknown, depth: number, extra: string[] = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = extra.map((name) => [name]);
  if (depth === 0 || typeof value !== "object" || value === null) return out;
  const keys = Array.isArray(value) ? value.slice(0, 2).map((_, index) => index) : Object.keys(value);
  for (const key of keys) {
    out.push([key]);
    for (const inner of paths((value as Record<string | number, unknown>)[key], depth - 1)) out.push([key, ...inner]);
  }
  return out;
}

/** Asserts the accept path never takes what zod refuses, over `value` and every variant with one field replaced. */
function holdsToSchema(
  accepts: (value: unknown) => boolean,
  schema: { safeParse(value: unknown): { success: boolean } },
  value: unknown,
  depth: number,
  extra: string[] = [],
): { accepted: number; tried: number } {
  let accepted = 0;
  let tried = 0;
  const check = (variant: unknown) => {
    tried++;
    if (!accepts(variant)) return;
    accepted++;
    if (!schema.safeParse(variant).success) expect.fail(`accepted, but zod refuses: ${JSON.stringify(variant)}`);
  };
  check(value);
  for (const path of paths(value, depth, extra))
    for (const replacement of REPLACEMENTS) check(replaced(value, path, replacement));
  return { accepted, tried };
}

const OPTIONAL_REQUEST_FIELDS = [
  "system",
  "tool_choice",
  "temperature",
  "top_p",
  "top_k",
  "stop_sequences",
  "stream",
  "thinking",
  "output_config",
  "metadata",
];

describe("the hand-written accept path", () => {
  const bodies = recordedBodies();

  it("takes every recorded Claude Code request, message and tool list (the path the gateway runs)", () => {
    expect(bodies.length).toBeGreaterThan(10);
    for (const body of bodies) {
      expect(acceptsAnthropicRequest(body)).toBe(true);
      for (const message of body.messages as unknown[]) expect(acceptsAnthropicMessage(message)).toBe(true);
      if (body.tools !== undefined) expect(acceptsAnthropicTools(body.tools)).toBe(true);
    }
  });

  it("never takes a request zod refuses, with any one field of a recorded one replaced", () => {
    let accepted = 0;
    for (const body of bodies.slice(0, 6)) {
      const { messages, tools, ...rest } = body;
      const small = {
        ...rest,
        messages: (messages as unknown[]).slice(0, 1),
        tools: (tools as unknown[])?.slice(0, 1),
      };
      accepted += holdsToSchema(
        acceptsAnthropicRequest,
        anthropicRequestSchema,
        small,
        3,
        OPTIONAL_REQUEST_FIELDS,
      ).accepted;
    }
    expect(accepted).toBeGreaterThan(50);
  });

  it("never takes a message zod refuses, with any one field (down to tool results' content) replaced", () => {
    const messages = bodies.flatMap((body) => body.messages as unknown[]);
    // One message of each shape: string content, and each first block type.
    const shapes = new Map<string, unknown>();
    for (const message of messages) {
      const content = (message as { content: unknown }).content;
      const blocks = Array.isArray(content) ? (content as Array<{ type: string }>) : [];
      const key = `${(message as { role: string }).role}:${blocks.map((block) => block.type).join(",") || "string"}`;
      if (!shapes.has(key)) shapes.set(key, message);
    }
    for (const block of documentedBlocks()) shapes.set(JSON.stringify(block), { role: "user", content: [block] });
    // Shapes the recordings lack, as Anthropic's Messages API documents them.
    const image = { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } };
    shapes.set("tool result list", {
      role: "user",
      content: [
        {
          type: "tool_result",
          tool_use_id: "toolu_1",
          is_error: false,
          content: [{ type: "text", text: "out" }, image, { type: "search_result", source: "s", content: [] }],
        },
      ],
    });
    shapes.set("assistant", {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "hm", signature: "sig" },
        { type: "redacted_thinking", data: "abc" },
        { type: "tool_use", id: "toolu_1", name: "Read", input: { path: "a" }, cache_control: { type: "ephemeral" } },
      ],
    });
    shapes.set("image by url", {
      role: "user",
      content: [{ type: "image", source: { type: "url", url: "https://x" } }],
    });
    let accepted = 0;
    for (const message of shapes.values())
      accepted += holdsToSchema(acceptsAnthropicMessage, anthropicMessageSchema, message, 5).accepted;
    expect(accepted).toBeGreaterThan(50);
  });

  it("never takes a tool list zod refuses", () => {
    const tools = bodies.find((body) => Array.isArray(body.tools) && body.tools.length > 1)?.tools as unknown[];
    const { accepted } = holdsToSchema(acceptsAnthropicTools, anthropicToolsSchema, tools.slice(0, 2), 3);
    expect(accepted).toBeGreaterThan(10);
  });
});
