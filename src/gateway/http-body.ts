import { isUtf8 } from "node:buffer";
import type { IncomingMessage } from "node:http";
import { invalidRequest, SwitchyardError } from "../core/errors.js";
import type { RepeatedJsonMembers } from "../util/repeated-json-members.js";
import { assertJsonDepth } from "./json-depth.js";

/**
 * Bodies smaller than this are parsed whole: finding and remembering their parts costs more than
 * parsing them (a one-message request, a title request).
 */
const REMEMBER_FROM_BYTES = 4096;

/** `application/json` or a `+json` type, whatever its parameters and case. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const essence = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return essence === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(essence);
}

/**
 * Reads a JSON body up to `limitBytes` (counted as it arrives, so a chunked body without a length is
 * cut off too); a larger body is a 413, bad UTF-8 or JSON a 400 naming the problem, nesting beyond
 * MAX_JSON_DEPTH a 400. With `repeated`, members that come back byte for byte are not parsed again.
 * A body not labelled JSON is a 415: every agent labels it, and a web page can send `text/plain`
 * cross-origin without a preflight, so a body is never parsed whatever its type.
 */
export function readJsonBody(
  request: IncomingMessage,
  limitBytes: number,
  repeated?: RepeatedJsonMembers,
): Promise<unknown> {
  const type = request.headers["content-type"];
  if (!isJsonMediaType(type)) {
    request.resume();
    return Promise.reject(
      new SwitchyardError(
        `the request body must be sent as application/json, not ${type ?? "without a Content-Type"}`,
        {
          kind: "invalid_request",
          code: "unsupported_media_type",
          status: 415,
        },
      ),
    );
  }
  const declared = Number(request.headers["content-length"] ?? "0");
  if (declared > limitBytes) return Promise.reject(tooLarge(declared, limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        request.off("data", onData);
        request.resume();
        reject(tooLarge(size, limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    request.on("data", onData);
    request.once("error", reject);
    request.once("end", () => {
      if (size > limitBytes) return;
      const bytes = joined(chunks, size);
      // Checked on the bytes: decoding would turn invalid bytes into U+FFFD silently and the model would see them.
      if (!isUtf8(bytes)) {
        reject(invalidRequest("the request body is not valid UTF-8", "invalid_utf8"));
        return;
      }
      try {
        resolve(repeated && size >= REMEMBER_FROM_BYTES ? repeated.parse(bytes, parseBody) : parseBody(bytes));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** A body of several chunks is put together here, up to this size (a larger one in a buffer of its own). */
const SCRATCH_MAX_BYTES = 4 * 1024 * 1024;
let scratch = Buffer.allocUnsafeSlow(0);

/**
 * The chunks as one buffer. Several are copied into a scratch buffer kept between requests: the bytes
 * are checked and parsed in the same synchronous step and nothing keeps them (remembered parts are
 * copied out, parsed values are new strings), so one buffer serves every request (4 MB at most is
 * kept). A fresh buffer the size of a 92 KB request, freed after it, could go back to the system and be
 * page-faulted in again by the next request (glibc gives the top of its heap back beyond 128 KB free).
 */
function joined(chunks: Buffer[], size: number): Buffer {
  if (chunks.length === 1) return chunks[0] as Buffer;
  if (size > SCRATCH_MAX_BYTES) return Buffer.concat(chunks, size);
  if (scratch.length < size)
    scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX_BYTES, Math.max(size, 2 * scratch.length)));
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(scratch, at);
  return scratch.subarray(0, size);
}

/** Bytes to value, or a 400 naming what is wrong with them. */
function parseBody(bytes: Buffer): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    if (bytes.toString("utf8").trim() === "") throw invalidRequest("the request body is empty; expected a JSON object");
    throw invalidRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  assertJsonDepth(parsed);
  return parsed;
}

function tooLarge(size: number, limit: number): SwitchyardError {
  return new SwitchyardError(`request body of ${size} bytes exceeds the limit of ${limit} bytes`, {
    kind: "request_too_large",
    code: "request_too_large",
  });
}
