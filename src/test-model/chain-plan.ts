import type { ByteLevelTokenizer } from "./byte-level-tokenizer.js";
import { familyScript, type TestModelScript, TOOL_RESULT_MARKER } from "./family-script.js";
import { CONTEXT_TOKENS, type LinkTable, segmentChain } from "./unique-segmentation.js";

/**
 * One step of a chain: when `from` is the current token, `to` is next. A token is the source of one
 * link, except the last token of a generation prompt in the tool-call script, which has two: the tool
 * call (taken while no tool result is in the prompt) and the answer (taken once one is).
 */
export interface ChainLink {
  from: number;
  to: number;
  /** The tokens before `from` (nearest last), when `from` leads to different tokens after different ones. */
  context?: number[];
  /** Every link of the tool call is "no-tool-result", every link of the answer after it "tool-result". */
  when: "always" | "no-tool-result" | "tool-result";
  /** The link from the generation prompt's last token into a reply. */
  first: boolean;
}

export interface ChainPlan {
  links: ChainLink[];
  /** Built by family-script.ts from the template (needs the scripted model's designed layer 0). */
  scripted: boolean;
  /** The token whose presence in the prompt means "a tool result is here" (tool-call script only). */
  marker?: number;
}

const END_OF_GENERATION = "<|im_end|>";

/*
 * The fixed replies of the two original Qwen templates (text script), kept token for token so the
 * default test model says what it always said. Pieces are GPT-2 byte-level tokens ("Ġ" is a space,
 * "Ċ" a newline; this vocabulary has no <think> token, so the tag is plain text).
 */
const ANSWER = [
  "Hello",
  "!",
  "ĠThis",
  "Ġis",
  "Ġthe",
  "ĠSwitch",
  "yard",
  "Ġtest",
  "Ġnet",
  ":",
  "Ġrandom",
  "Ġweights",
  ",",
  "Ġfixed",
  "Ġreply",
  ".",
  "ĠLoad",
  "Ġa",
  "Ġreal",
  "Ġmodel",
  "Ġfor",
  "Ġuseful",
  "Ġanswers",
  END_OF_GENERATION,
];
/** Generation prompts end in "assistant\n" (Ċ), "<think>\n" (>Ċ) or "</think>\n\n" (>ĊĊ). */
const THINKING_CHAINS = [
  [">Ċ", "Nothing", "Ġto", "Ġreason", "Ġabout", ";", "Ġanswering", "Ġnow", "</", "think", ">ĊĊ", ...ANSWER],
  ["Ċ", "Hello"],
  ["ĊĊ", "Hello"],
];
const PLAIN_CHAINS = [
  ["Ċ", ...ANSWER],
  [">Ċ", "Hello"],
  [">ĊĊ", "Hello"],
  ["ĊĊ", "Hello"],
];
const ORIGINAL_CHAINS: Record<string, string[][]> = {
  "Qwen3.5-4B.jinja": THINKING_CHAINS,
  "Qwen3-Coder.jinja": PLAIN_CHAINS,
};

function pieceId(tokenizer: ByteLevelTokenizer, piece: string): number {
  const id = tokenizer.ids.get(piece);
  if (id === undefined) throw new Error(`token ${JSON.stringify(piece)} is not in the Qwen3.5 vocabulary`);
  return id;
}

function originalPlan(tokenizer: ByteLevelTokenizer, chains: string[][]): ChainPlan {
  const links: ChainLink[] = [];
  for (const pieces of chains) {
    for (let index = 0; index + 1 < pieces.length; index++) {
      const from = pieceId(tokenizer, pieces[index] as string);
      if (links.some((link) => link.from === from)) throw new Error(`chain token ${pieces[index]} has two successors`);
      links.push({ from, to: pieceId(tokenizer, pieces[index + 1] as string), when: "always", first: index === 0 });
    }
  }
  return { links, scripted: false };
}

/** The chains for a template file and a script. */
export function planChains(
  tokenizer: ByteLevelTokenizer,
  templateFile: string,
  templateSource: string,
  script: TestModelScript,
): ChainPlan {
  const original = ORIGINAL_CHAINS[templateFile];
  if (script === "text" && original) return originalPlan(tokenizer, original);

  const end = pieceId(tokenizer, END_OF_GENERATION);
  const markerTokens = tokenizer.tokenize(TOOL_RESULT_MARKER);
  if (markerTokens.length !== 1) throw new Error(`${TOOL_RESULT_MARKER} is not one token`);
  const marker = markerTokens[0] as number;
  const branches = familyScript(templateSource, script);
  const sources = new Map<number, (typeof branches)[number] & { before: number[] }>();
  for (const branch of branches) {
    const prompt = tokenizer.tokenize(branch.prompt);
    const source = prompt.at(-1);
    // Two prompts ending in the same token get the first one's reply (thinking on comes first).
    if (source !== undefined && !sources.has(source)) {
      sources.set(source, { ...branch, before: prompt.slice(-1 - CONTEXT_TOKENS, -1) });
    }
  }
  // The marker never occurs inside a reply, so a reply cannot flip the switch.
  const forbidden = new Set<number>([marker, end]);
  // The tool-result switch tells the tool call's links from the answer's, so each keeps its own table.
  const tables = new Map<ChainLink["when"], LinkTable>();
  const links: ChainLink[] = [];
  const chain = (before: number[], source: number, text: string, when: ChainLink["when"]) => {
    const table = tables.get(when) ?? (tables.set(when, new Map()).get(when) as LinkTable);
    const tokens = segmentChain(tokenizer, text, { before, source, end, forbidden, table });
    const path = [...before, source, ...tokens, end];
    const offset = before.length;
    for (let index = offset; index + 1 < path.length; index++) {
      const context = path.slice(index - CONTEXT_TOKENS, index);
      links.push({
        from: path[index] as number,
        to: path[index + 1] as number,
        context,
        when,
        first: index === offset,
      });
    }
  };
  for (const [source, branch] of sources) {
    if (branch.afterTool === undefined) {
      chain(branch.before, source, branch.reply, "always");
    } else {
      chain(branch.before, source, branch.reply, "no-tool-result");
      chain(branch.before, source, branch.afterTool, "tool-result");
    }
  }
  // A token with one successor needs no context: its chain row is then the plain, stronger kind.
  const successors = new Map<number, Set<number>>();
  for (const link of links) successors.set(link.from, (successors.get(link.from) ?? new Set()).add(link.to));
  const unique = new Map<string, ChainLink>();
  for (const link of links) {
    const context = (successors.get(link.from)?.size ?? 0) > 1 ? link.context : undefined;
    const simplified: ChainLink = {
      from: link.from,
      to: link.to,
      when: link.when,
      first: link.first,
      ...(context === undefined ? {} : { context }),
    };
    unique.set(`${simplified.context?.join(",") ?? ""} ${link.from} ${link.to} ${link.when}`, simplified);
  }
  return { links: [...unique.values()], scripted: true, ...(script === "tool-call" ? { marker } : {}) };
}
