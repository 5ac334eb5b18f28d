import type { IncomingMessage } from "node:http";
import { invalidRequest, SwitchyardError } from "../core/errors.js";

/** Reads a small `application/x-www-form-urlencoded` body (the login form), within a size and a time limit. */
export function readFormBody(
  request: IncomingMessage,
  limitBytes = 8192,
  timeoutMs = 10_000,
): Promise<URLSearchParams> {
  const type = request.headers["content-type"] ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded")) {
    return Promise.reject(invalidRequest("the login form must be sent as application/x-www-form-urlencoded"));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      request.destroy();
      reject(new SwitchyardError("the login form took too long to arrive", { kind: "timeout", code: "body_timeout" }));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        clearTimeout(timer);
        // Drain the rest unread, so the 413 still reaches the client.
        request.off("data", onData);
        request.resume();
        reject(
          new SwitchyardError(`the login form exceeds ${limitBytes} bytes`, {
            kind: "request_too_large",
            code: "request_too_large",
          }),
        );
        return;
      }
      chunks.push(chunk);
    };
    request.on("data", onData);
    request.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.once("end", () => {
      clearTimeout(timer);
      if (size > limitBytes) return;
      resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
    });
  });
}
