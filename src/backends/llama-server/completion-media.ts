import type { ChatContent, ChatMessage } from "../chat-completions/to-chat-messages.js";

/** mtmd's own marker (`mtmd_default_marker()`), for a server whose `/props` does not name one. */
export const MTMD_DEFAULT_MARKER = "<__media__>";

const DATA_URL = /^data:[^;,]+;base64,/;

/**
 * A message's content parts as the text llama-server gives the template once a message holds media
 * (`concat_content_parts` in common/chat.cpp, used when a message `contains_media()`): text parts a
 * newline apart, none before or after a media marker.
 */
function joinWithMarkers(parts: ReadonlyArray<{ type: "text"; text: string } | { type: "marker" }>, marker: string) {
  let text = "";
  let lastWasMarker = false;
  for (const part of parts) {
    if (part.type === "marker") {
      text += marker;
      lastWasMarker = true;
      continue;
    }
    if (!lastWasMarker && text !== "") text += "\n";
    text += part.text;
    lastWasMarker = false;
  }
  return text;
}

/**
 * The messages of a prompt Switchyard renders for a server that takes images, as llama-server's chat
 * path makes them (`oaicompat_chat_params_parse` in tools/server/server-common.cpp): each image part
 * becomes the server's media marker, the message's parts one text, and the image's bytes go apart, in
 * order, as `/completion`'s `multimodal_data` (base64), one per marker. An image given by URL is not
 * fetched here: it becomes a line saying so. Messages without images are returned as they are.
 */
export function withMediaMarkers(
  messages: readonly ChatMessage[],
  marker: string,
): { messages: ChatMessage[]; media: string[] } {
  const media: string[] = [];
  const out = messages.map((message): ChatMessage => {
    const content = message.content as ChatContent;
    if (typeof content === "string" || !content.some((part) => part.type === "image_url")) return message;
    const parts = content.map((part) => {
      if (part.type === "text") return part;
      const url = part.image_url.url;
      if (!DATA_URL.test(url)) return { type: "text" as const, text: `[image at ${url} omitted: not fetched]` };
      media.push(url.replace(DATA_URL, ""));
      return { type: "marker" as const };
    });
    return { ...message, content: joinWithMarkers(parts, marker) } as ChatMessage;
  });
  return { messages: out, media };
}
