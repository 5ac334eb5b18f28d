/** `hf:ORG/REPO[:QUANT]`: a Hugging Face repository and, optionally, the quant to take from it. */
export interface HfReference {
  repo: string;
  quant?: string;
  revision: string;
}

export function isHfReference(text: string): boolean {
  return text.startsWith("hf:");
}

export function parseHfReference(text: string): HfReference {
  const match = /^hf:([\w.-]+\/[\w.-]+)(?::([\w.-]+))?$/.exec(text.trim());
  if (!match?.[1]) throw new Error(`"${text}" is not a Hugging Face model (write hf:ORG/REPO or hf:ORG/REPO:QUANT)`);
  return { repo: match[1], ...(match[2] ? { quant: match[2] } : {}), revision: "main" };
}
