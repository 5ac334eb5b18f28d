import type { ByteLevelTokenizer } from "./byte-level-tokenizer.js";
import { type ChainStep, weakestStep } from "./chain-scores.js";
import { familyScript, type ScriptBranch, type TestModelScript, TOOL_RESULT_MARKER } from "./family-script.js";
import { CONTEXT_DEPTHS, type ContextDepth, type LinkTable, type Placed, segmentChain } from "./unique-segmentation.js";

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
}

export interface ChainPlan {
  links: ChainLink[];
  /** Built by family-script.ts from the template (needs the scripted model's designed layer 0). */
  scripted: boolean;
  /** The token whose presence in the prompt means "a tool result is here" (tool-call script only). */
  marker?: number;
  /** How many tokens before the current one the model's context heads see (scripted models). */
  contextDepth: ContextDepth;
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
      links.push({ from, to: pieceId(tokenizer, pieces[index + 1] as string), when: "always" });
    }
  }
  return { links, scripted: false, contextDepth: 2 };
}

/** The chains for a template file and a script. */
export function planChains(
  tokenizer: ByteLevelTokenizer,
  templateFile: string,
  templateSource: string,
  script: TestModelScript,
  toolName?: string,
  argument?: string,
): ChainPlan {
  // No chains: the family's template on random weights, read by nobody here (familyScript never runs).
  if (script === "unscripted") return { links: [], scripted: false, contextDepth: 2 };
  const original = ORIGINAL_CHAINS[templateFile];
  if (script === "text" && original) return originalPlan(tokenizer, original);
  const branches = familyScript(templateSource, script, toolName, argument);
  // Two context tokens whenever they can script the template at all, so those models keep their bytes;
  // a third context head only when two cannot (DeepSeek V3.2's `<｜DSML｜` repeats more than two tokens
  // can tell apart).
  const failures: string[] = [];
  for (const depth of CONTEXT_DEPTHS) {
    try {
      return planAtDepth(tokenizer, templateFile, branches, script, depth);
    } catch (error) {
      failures.push(`with ${depth} context tokens: ${(error as Error).message}`);
    }
  }
  throw new Error(failures.join("; "));
}

/** The plan for one context depth. */
function planAtDepth(
  tokenizer: ByteLevelTokenizer,
  templateFile: string,
  branches: readonly ScriptBranch[],
  script: TestModelScript,
  depth: ContextDepth,
): ChainPlan {
  const end = pieceId(tokenizer, END_OF_GENERATION);
  const markerTokens = tokenizer.tokenize(TOOL_RESULT_MARKER);
  if (markerTokens.length !== 1) throw new Error(`${TOOL_RESULT_MARKER} is not one token`);
  const marker = markerTokens[0] as number;
  // A chain starts after a generation prompt's last token; the `depth` tokens before it are its context.
  const start = (prompt: string) => {
    const tokens = tokenizer.tokenize(prompt);
    return { before: tokens.slice(-1 - depth, -1), source: tokens.at(-1) as number };
  };
  const chains: Array<{ before: number[]; source: number; text: string; when: ChainLink["when"] }> = [];
  const starts = new Set<string>();
  // The marker never occurs inside a reply, so a reply cannot flip the switch.
  const forbidden = new Set<number>([marker, end]);
  const splits = (chain: (typeof chains)[number]) => {
    try {
      segmentChain(tokenizer, chain.text, { ...chain, end, forbidden, table: new Map() });
      return true;
    } catch {
      return false;
    }
  };
  const skipped: string[] = [];
  let firstBranch = 0;
  for (const branch of branches) {
    const first = start(branch.prompt);
    const key = [...first.before, first.source].join(" ");
    // Two prompts ending in the same context and token get the first one's reply (thinking on comes first).
    if (starts.has(key)) continue;
    const branchChains: typeof chains =
      branch.afterTool === undefined || branch.afterToolPrompt === undefined
        ? [{ ...first, text: branch.reply, when: "always" }]
        : [
            { ...first, text: branch.reply, when: "no-tool-result" },
            { ...start(branch.afterToolPrompt), text: branch.afterTool, when: "tool-result" },
          ];
    // A reply no split can say (every way through it repeats a context) leaves that prompt unscripted.
    if (!branchChains.every(splits)) {
      skipped.push(JSON.stringify(branch.reply.slice(0, 60)));
      continue;
    }
    starts.add(key);
    chains.push(...branchChains);
    firstBranch ||= branchChains.length;
  }
  if (chains.length === 0)
    throw new Error(`no reply of ${templateFile} can be split into chains: ${skipped.join(", ")}`);
  const bans = chains.map(() => new Set<string>());
  const tries = new Map<string, number>();
  let built: ReturnType<typeof buildChains>;
  try {
    built = buildChains(tokenizer, chains, end, forbidden, bans);
  } catch {
    // The replies of both generation prompts cannot share the model: keep the first (thinking on).
    chains.splice(firstBranch);
    built = buildChains(tokenizer, chains, end, forbidden, bans);
  }
  let weak: ChainStep | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    weak = weakestStep(built.links, built.steps);
    if (!weak)
      return { links: built.links, scripted: true, contextDepth: depth, ...(script === "tool-call" ? { marker } : {}) };
    // Split the text differently around the weak step: the current token first, then its neighbours.
    const key = `${weak.chain} ${weak.index}`;
    const tried = tries.get(key) ?? 0;
    tries.set(key, tried + 1);
    const placed = built.tokens[weak.chain] as Placed[];
    const index = Math.min(placed.length - 1, Math.max(0, weak.index + ([0, 1, -1, -2][tried % 4] as number)));
    const token = placed[index] as Placed;
    const ban = `${token.start}:${token.id}`;
    bans[weak.chain]?.add(ban);
    try {
      built = buildChains(tokenizer, chains, end, forbidden, bans);
    } catch {
      bans[weak.chain]?.delete(ban);
    }
  }
  const where = weak && [...weak.context, weak.current, weak.next].map((id) => tokenizer.tokens[id]).join("|");
  throw new Error(`no chains whose every step leads clearly for ${templateFile}, ${script} script (at ${where})`);
}

const MAX_ATTEMPTS = 400;

function buildChains(
  tokenizer: ByteLevelTokenizer,
  chains: ReadonlyArray<{ before: number[]; source: number; text: string; when: ChainLink["when"] }>,
  end: number,
  forbidden: ReadonlySet<number>,
  bans: ReadonlyArray<Set<string>>,
): { links: ChainLink[]; steps: ChainStep[]; tokens: Placed[][] } {
  // The tool-result switch tells the tool call's links from the answer's, so each keeps its own table.
  const tables = new Map<ChainLink["when"], LinkTable>();
  const links: ChainLink[] = [];
  const steps: ChainStep[] = [];
  const tokens = chains.map(({ before, source, text, when }, chainIndex) => {
    const table = tables.get(when) ?? (tables.set(when, new Map()).get(when) as LinkTable);
    const placed = segmentChain(tokenizer, text, { before, source, end, forbidden, table }, bans[chainIndex]);
    const path = [...before, source, ...placed.map(({ id }) => id), end];
    const offset = before.length;
    for (let index = offset; index + 1 < path.length; index++) {
      const context = path.slice(index - before.length, index);
      const [from, to] = [path[index] as number, path[index + 1] as number];
      links.push({ from, to, context, when });
      steps.push({
        chain: chainIndex,
        index: index - offset - 1,
        current: from,
        context,
        next: to,
        switchOn: when === "tool-result",
      });
    }
    return placed;
  });
  // A token with one successor needs no context: its chain row is then the plain, stronger kind.
  const successors = new Map<number, Set<number>>();
  for (const link of links) successors.set(link.from, (successors.get(link.from) ?? new Set()).add(link.to));
  const unique = new Map<string, ChainLink>();
  for (const link of links) {
    const context = (successors.get(link.from)?.size ?? 0) > 1 ? shortestContext(link, links) : undefined;
    const simplified: ChainLink = {
      from: link.from,
      to: link.to,
      when: link.when,
      ...(context === undefined ? {} : { context }),
    };
    unique.set(`${simplified.context?.join(",") ?? ""} ${link.from} ${link.to} ${link.when}`, simplified);
  }
  return { links: [...unique.values()], steps, tokens };
}

/**
 * With three context tokens, a link keeps only the nearest ones that tell it from every link that
 * leaves the same token for another: context terms add up per distance whatever link put them in a
 * row, so each needless one is a chance for a wrong row to collect a full match from several links.
 * Links of a two-token plan keep both (the bytes of those models stay as they were).
 */
function shortestContext(link: ChainLink, links: readonly ChainLink[]): number[] | undefined {
  const context = link.context ?? [];
  if (context.length < 3) return link.context;
  const rivals = links.filter((other) => other.from === link.from && other.to !== link.to);
  for (let kept = 2; kept < context.length; kept++) {
    const suffix = context.slice(-kept).join(" ");
    if (!rivals.some((other) => (other.context ?? []).slice(-kept).join(" ") === suffix)) return context.slice(-kept);
  }
  return context;
}
