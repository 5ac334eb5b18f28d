/** A tool only the probe names: where its name is in the prompt, the template wrote the tool list. */
const PROBE_TOOL = {
  type: "function",
  function: { name: "switchyard_probe_tool", description: "Switchyard probe.", parameters: { type: "object" } },
};
const PROBE_MESSAGES = [
  { role: "system", content: "Switchyard probe." },
  { role: "user", content: "Switchyard probe." },
];

/**
 * Whether the template writes the tools it is given. DeepSeek V3.1's does not, nor the R1 distills' (their
 * model cards put the list in the system prompt by hand): llama-server renders every request, and the
 * model is never told its tools. True when the template names the probe's tool, and when it cannot render
 * the probe at all (nothing is known, so nothing is added).
 */
export async function writesToolList(
  render: (messages: unknown[], tools: unknown[]) => Promise<string | undefined>,
): Promise<boolean> {
  const prompt = await render(PROBE_MESSAGES, [PROBE_TOOL]).catch(() => undefined);
  return prompt === undefined || prompt.includes(PROBE_TOOL.function.name);
}
