import { existsSync } from "node:fs";
import { join } from "node:path";
import { cacheDirectory } from "../util/paths.js";
import { downloadFile } from "./download-file.js";
import { findQuant, groupGgufFiles, missingSplitParts, type QuantFiles } from "./gguf-files.js";
import type { HfReference } from "./hf-reference.js";
import type { HubClient } from "./hub-client.js";
import { HubError } from "./hub-errors.js";

export interface PullOptions {
  client: HubClient;
  reference: HfReference;
  /** When the reference names no quant: picks one of the repository's (largest that fits, for the CLI). */
  chooseQuant?: (quants: QuantFiles[]) => Promise<QuantFiles | undefined>;
  directory?: string;
  onFile?: (path: string, index: number, count: number) => void;
  onProgress?: (received: number, total: number) => void;
  signal?: AbortSignal;
}

export interface PulledModel {
  quant: string;
  /** Local paths in order; llama-server takes the first and finds the other parts itself. */
  paths: string[];
  resumed: boolean;
  verified: boolean;
}

export function modelDirectory(repo: string, directory = join(cacheDirectory(), "models", "hf")): string {
  return join(directory, ...repo.split("/"));
}

/** The repository's quants (for `fit` and quant choice) without downloading anything. */
export async function listQuants(
  client: HubClient,
  reference: HfReference,
  signal?: AbortSignal,
): Promise<QuantFiles[]> {
  const files = await client.listFiles(reference.repo, reference.revision, signal);
  const quants = groupGgufFiles(files);
  if (quants.length === 0) throw new HubError("no_matching_file", `${reference.repo} has no GGUF files`);
  return quants;
}

export async function pullModel(options: PullOptions): Promise<PulledModel> {
  const { client, reference } = options;
  const quants = await listQuants(client, reference, options.signal);
  const chosen = reference.quant
    ? findQuant(quants, reference.quant, reference.repo)
    : await options.chooseQuant?.(quants);
  if (!chosen) throw new HubError("no_matching_file", `no quant of ${reference.repo} was chosen`);
  const missing = missingSplitParts(chosen);
  if (missing.length > 0)
    throw new HubError("not_found", `${reference.repo} lacks parts of ${chosen.quant}: ${missing.join(", ")}`);
  const target = modelDirectory(reference.repo, options.directory);
  const paths: string[] = [];
  let resumed = false;
  let verified = true;
  for (const [index, file] of chosen.files.entries()) {
    const destination = join(target, file.path);
    paths.push(destination);
    options.onFile?.(file.path, index, chosen.files.length);
    if (existsSync(destination)) continue;
    const metadata = file.sha256
      ? { sha256: file.sha256, size: file.size }
      : await client.fileMetadata(reference.repo, file.path, reference.revision, options.signal);
    const result = await downloadFile({
      client,
      repo: reference.repo,
      path: file.path,
      revision: reference.revision,
      destination,
      size: Number.isFinite(metadata.size) ? metadata.size : file.size,
      ...(metadata.sha256 ? { sha256: metadata.sha256 } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    resumed ||= result.resumedFrom > 0;
    verified &&= result.verified;
  }
  return { quant: chosen.quant, paths, resumed, verified };
}
