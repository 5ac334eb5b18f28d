/**
 * Tool schemas with every JSON Schema type union (`"type": ["integer", "null"]`) reduced to its first type
 * other than `null`, as Goose's own OpenAI provider sends them. Some chat templates read `type` as one
 * string: Seed-OSS (`t in ("number", "integer")`) and Hermes 3 (`basic_type_map[json_spec.type]`) raise
 * on a list, in llama-server as in Switchyard's renderer, and Gemma 4's `| upper` of a list is an error in
 * the renderer. Schemas generated from optional fields (Rust's schemars, Pydantic) are full of them: Goose
 * sends its own tools that way through its Anthropic provider, and MCP servers do too. The same object is
 * returned when nothing changed.
 */
export function singleSchemaTypes<T>(value: T): T {
  if (Array.isArray(value)) {
    const items = value.map((item) => singleSchemaTypes(item));
    return (items.some((item, index) => item !== value[index]) ? items : value) as T;
  }
  if (value === null || typeof value !== "object") return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const next =
      key === "type" && Array.isArray(field) && field.every((type) => typeof type === "string")
        ? (field.find((type) => type !== "null") ?? field[0])
        : singleSchemaTypes(field);
    if (next !== field) changed = true;
    out[key] = next;
  }
  return (changed ? out : value) as T;
}
