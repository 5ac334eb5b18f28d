import type { IncomingMessage, ServerResponse } from "node:http";
import { invalidRequest, SwitchyardError } from "../core/errors.js";
import { parseJsonBytes } from "../util/parse-json-bytes.js";

/** Reads a JSON body up to `limitBytes`; a larger body is a 413, bad JSON a 400 naming the position. */
export function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<unknown> {
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
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      try {
        resolve(parseJsonBytes(bytes));
      } catch (error) {
        if (bytes.toString("utf8").trim() === "")
          reject(invalidRequest("the request body is empty; expected a JSON object"));
        else reject(invalidRequest(`the request body is not valid JSON: ${(error as Error).message}`));
      }
    });
  });
}

function tooLarge(size: number, limit: number): SwitchyardError {
  return new SwitchyardError(`request body of ${size} bytes exceeds the limit of ${limit} bytes`, {
    kind: "request_too_large",
    code: "request_too_large",
  });
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** Writes respecting backpressure: resolves once the socket can take more. */
export function writeChunk(response: ServerResponse, text: string): Promise<void> | undefined {
  if (response.write(text)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });
}
