/** Why talking to the hub failed, with a message that names the repository and file. */
export type HubErrorCode =
  | "unreachable"
  | "timeout"
  | "unauthorized"
  | "not_found"
  | "http_error"
  | "checksum_mismatch"
  | "disk_full"
  | "no_matching_file";

export class HubError extends Error {
  constructor(
    readonly code: HubErrorCode,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "HubError";
  }
}

/** A fetch failure (no response at all) as a HubError that says what could not be reached. */
export function networkError(url: string, error: unknown): HubError {
  if (error instanceof HubError) return error;
  const name = (error as { name?: string })?.name;
  if (name === "TimeoutError") return new HubError("timeout", `no answer from ${new URL(url).origin} in time (${url})`);
  if (name === "AbortError") return new HubError("timeout", `the request to ${url} was cancelled`);
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return new HubError(
    "unreachable",
    `cannot reach ${new URL(url).origin} (${detail}); check the network or HF_ENDPOINT`,
    undefined,
    {
      cause: error,
    },
  );
}
