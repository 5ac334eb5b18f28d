import { type ByteLevelTokenizer, toByteLevel } from "./byte-level-tokenizer.js";

/** Longest vocabulary piece tried; longer pieces exist but text the model says never needs them. */
const LONGEST_PIECE = 24;

/** Links already in the model: `${context} ${token}` → the token that must follow. */
export type LinkTable = Map<string, number>;

export type Placed = { id: number; start: number };

/**
 * Splits `text` into vocabulary tokens for a chain that starts after `source` and ends with `end`, and
 * records its links in `table`. The model picks a successor from the current token and the tokens
 * before it (as many as `before` holds: the model's context heads), so no such context may lead to two
 * different tokens across all chains; `forbidden` tokens never occur. The split need not be the canonical tokenization: llama-server detokenizes
 * whatever the model emits.
 *
 * A fewest-tokens dynamic program, repeated: at a conflicting context, its last token is banned at
 * that position (or, when that leaves no split, an earlier one), until no context conflicts. The bans
 * only grow, so it ends.
 */
export function segmentChain(
  tokenizer: ByteLevelTokenizer,
  text: string,
  chain: { before: readonly number[]; source: number; end: number; forbidden: ReadonlySet<number>; table: LinkTable },
  /** `${start}:${id}` pairs never used; conflicts found here are added. */
  banned: Set<string> = new Set(),
): Placed[] {
  const target = toByteLevel(text);
  banned = new Set(banned);
  let tokens = fewestTokens(tokenizer, target, chain.forbidden, banned);
  while (tokens) {
    const path = [...chain.before, chain.source, ...tokens.map(({ id }) => id), chain.end];
    const offset = chain.before.length;
    const conflict = firstConflict(path, offset, chain.table);
    if (conflict === undefined) {
      for (let index = offset; index + 1 < path.length; index++)
        chain.table.set(linkKey(path, index, offset), path[index + 1] as number);
      return tokens;
    }
    // Any token of the conflicting context may change; the nearest first.
    const candidates = Array.from({ length: offset + 4 }, (_, back) =>
      conflict - back >= 0 ? tokens?.[conflict - back] : undefined,
    ).filter((placed) => placed !== undefined);
    tokens = undefined;
    for (const placed of candidates) {
      const ban = `${placed.start}:${placed.id}`;
      banned.add(ban);
      tokens = fewestTokens(tokenizer, target, chain.forbidden, banned);
      if (tokens) break;
      banned.delete(ban);
    }
  }
  throw new Error(`no segmentation without conflicting links for ${JSON.stringify(text)}`);
}

/**
 * How many tokens before the current one decide its successor (the model's context heads): two, or
 * three when two cannot tell a reply's repeated markers apart (DeepSeek V3.2's `<｜DSML｜`).
 */
export type ContextDepth = 2 | 3;
export const CONTEXT_DEPTHS: readonly ContextDepth[] = [2, 3];

const linkKey = (path: readonly number[], index: number, depth: number) =>
  path.slice(index - depth, index + 1).join(" ");

/** Index (among the chain's own tokens; -1 is the source) of the first token whose context leads elsewhere. */
function firstConflict(path: readonly number[], offset: number, table: LinkTable): number | undefined {
  const local = new Map<string, number>();
  for (let index = offset; index + 1 < path.length; index++) {
    const key = linkKey(path, index, offset);
    const next = path[index + 1] as number;
    const known = table.get(key) ?? local.get(key);
    if (known !== undefined && known !== next) return index - offset - 1;
    local.set(key, next);
  }
  return undefined;
}

function fewestTokens(
  tokenizer: ByteLevelTokenizer,
  target: string,
  forbidden: ReadonlySet<number>,
  banned: ReadonlySet<string>,
): Placed[] | undefined {
  const cost = new Array<number>(target.length + 1).fill(Number.POSITIVE_INFINITY);
  const step = new Array<Placed | undefined>(target.length + 1);
  cost[0] = 0;
  for (let end = 1; end <= target.length; end++) {
    for (let start = Math.max(0, end - LONGEST_PIECE); start < end; start++) {
      const before = cost[start] as number;
      if (before + 1 >= (cost[end] as number)) continue;
      const id = tokenizer.ids.get(target.slice(start, end));
      if (id === undefined || forbidden.has(id) || !tokenizer.isNormal(id) || banned.has(`${start}:${id}`)) continue;
      cost[end] = before + 1;
      step[end] = { id, start };
    }
  }
  if (!Number.isFinite(cost[target.length])) return undefined;
  const tokens: Placed[] = [];
  for (let end = target.length; end > 0; ) {
    const placed = step[end] as Placed;
    tokens.unshift(placed);
    end = placed.start;
  }
  return tokens;
}
