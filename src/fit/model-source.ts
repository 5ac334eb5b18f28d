import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { isHfReference, parseHfReference } from "../pull/hf-reference.js";
import { HubClient } from "../pull/hub-client.js";
import { listQuants } from "../pull/pull-model.js";
import { type ModelHeader, readGgufHeader, readSplitHeaders } from "./model-header.js";

export interface NamedHeader {
  /** What to call it in output: the file name, or repo:QUANT. */
  label: string;
  header: ModelHeader;
  /** A local file the engine can load (for --measure); absent for a remote header. */
  localPath?: string;
}

const SPLIT = /-(\d{5})-of-(\d{5})\.gguf$/;

/** Every part of a local split GGUF, given its first part; the file alone otherwise. */
function localParts(path: string): string[] {
  const match = SPLIT.exec(path);
  if (!match) return [path];
  const prefix = basename(path).replace(SPLIT, "");
  const parts = readdirSync(dirname(path))
    .filter((name) => name.startsWith(prefix) && SPLIT.test(name) && SPLIT.exec(name)?.[2] === match[2])
    .sort();
  return parts.map((name) => join(dirname(path), name));
}

/**
 * The headers `fit` reads for MODEL: a local GGUF (or a header copied from another machine), or
 * `hf:ORG/REPO[:QUANT]` read over HTTP range requests, one entry per quant when none is named.
 */
export async function loadModelHeaders(spec: string, client?: HubClient, signal?: AbortSignal): Promise<NamedHeader[]> {
  if (!isHfReference(spec)) {
    if (!existsSync(spec)) throw new Error(`no such model file: ${spec}`);
    const parts = localParts(spec);
    const header = parts.length > 1 ? await readSplitHeaders(parts) : await readGgufHeader(spec);
    return [{ label: basename(spec), header, localPath: spec }];
  }
  const hub = client ?? new HubClient();
  const reference = parseHfReference(spec);
  const quants = await listQuants(hub, reference, signal);
  const wanted = reference.quant ? quants.filter((quant) => quant.quant === reference.quant?.toUpperCase()) : quants;
  if (wanted.length === 0) {
    throw new Error(
      `${reference.repo} has no ${reference.quant} GGUF (quants there: ${quants.map((q) => q.quant).join(", ")})`,
    );
  }
  const rangeFetch: typeof fetch = (input, init) =>
    hub.request(String(input instanceof Request ? input.url : input), init ?? {}, signal);
  return Promise.all(
    wanted.map(async (quant) => ({
      label: `${reference.repo}:${quant.quant}`,
      header: await readSplitHeaders(
        quant.files.map((file) => hub.fileUrl(reference.repo, file.path, reference.revision)),
        { fetch: rangeFetch },
      ),
    })),
  );
}
