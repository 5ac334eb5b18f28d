/**
 * About 3,000 tokens (on the Qwen3.5 vocabulary) of words that no other note shares past its first few,
 * for turns that must grow a conversation past a small context.
 */
export function fillerNote(index: number): string {
  let seed = index;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed;
  };
  const words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"];
  const text = Array.from({ length: 1100 }, () => `${words[next() % words.length]}${next() % 100}`).join(" ");
  return `Note ${index}: keep this in mind. ${text}`;
}
