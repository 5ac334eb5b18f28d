import { type IncomingMessage, request } from "node:http";

export interface PlainAnswer {
  status: number;
  headers: IncomingMessage["headers"];
  text: string;
}

/**
 * One request on its own connection (no agent, `connection: close`), so that once it is answered the
 * gateway should hold no socket for it: what leak checks count.
 */
export function sendOnce(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<PlainAnswer> {
  const bytes = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: "POST",
      agent: false,
      signal,
      headers: { "content-type": "application/json", connection: "close", "content-length": bytes.length, ...headers },
    });
    outgoing.once("error", reject);
    outgoing.once("response", (answer) => {
      const chunks: Buffer[] = [];
      answer.on("data", (chunk: Buffer) => chunks.push(chunk));
      answer.once("error", reject);
      answer.once("end", () =>
        resolve({
          status: answer.statusCode ?? 0,
          headers: answer.headers,
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    outgoing.end(bytes);
  });
}

/** Polls `condition` every 50 ms until it holds or `attempts` run out; returns whether it held. */
export async function eventually(condition: () => boolean | Promise<boolean>, attempts = 100): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

/** Frames of an OpenAI chat completions stream; throws when one is neither JSON nor `[DONE]`. */
export function openAIFrames(text: string): { chunks: Array<Record<string, unknown>>; done: boolean } {
  const frames = text.split("\n\n").filter((frame) => frame.trim() !== "");
  const chunks: Array<Record<string, unknown>> = [];
  let done = false;
  for (const frame of frames) {
    if (!frame.startsWith("data: ")) throw new Error(`not an SSE data frame: ${frame.slice(0, 100)}`);
    const data = frame.slice(6);
    if (data === "[DONE]") done = true;
    else chunks.push(JSON.parse(data) as Record<string, unknown>);
  }
  return { chunks, done };
}
