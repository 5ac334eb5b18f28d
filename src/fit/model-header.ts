import { gguf } from "@huggingface/gguf";
import type { GgufMetadata } from "./model-hparams.js";
import type { TensorInfo } from "./weights-size.js";

/** A model as `fit` sees it: the metadata of its first file and the tensors of all its files. */
export interface ModelHeader {
  source: string;
  metadata: GgufMetadata;
  tensors: TensorInfo[];
}

export interface HeaderReadOptions {
  /** For URLs: the fetch to use (timeouts, auth and AbortSignal are the caller's). */
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

/**
 * Reads one GGUF header, from a local file or a URL (by HTTP range requests; no weights are fetched).
 * A header copied from another machine (the first few MB of a GGUF) reads the same as the whole file.
 */
export async function readGgufHeader(location: string, options: HeaderReadOptions = {}): Promise<ModelHeader> {
  const isUrl = /^https?:\/\//.test(location);
  const parsed = await gguf(location, {
    allowLocalFile: !isUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.headers ? { additionalFetchHeaders: options.headers } : {}),
  }).catch((error: Error) => {
    throw new Error(`could not read a GGUF header from ${location}: ${error.message}`);
  });
  const tensors = parsed.tensorInfos.map((tensor) => ({
    name: tensor.name,
    dims: tensor.shape.map(Number),
    type: tensor.dtype as number,
  }));
  return { source: location, metadata: parsed.metadata as unknown as GgufMetadata, tensors };
}

/** A split model (`-00001-of-0000N`): metadata from the first file, tensors from every file. */
export async function readSplitHeaders(
  locations: readonly string[],
  options: HeaderReadOptions = {},
): Promise<ModelHeader> {
  const headers = await Promise.all(locations.map((location) => readGgufHeader(location, options)));
  const [first] = headers;
  if (!first) throw new Error("no GGUF files to read");
  return { source: first.source, metadata: first.metadata, tensors: headers.flatMap((header) => header.tensors) };
}
