import { BlockList, isIP } from "node:net";

/** Loopback and private networks (RFC 1918, RFC 4193, link-local): where a server on the LAN listens. */
const PRIVATE = new BlockList();
PRIVATE.addSubnet("127.0.0.0", 8);
PRIVATE.addSubnet("10.0.0.0", 8);
PRIVATE.addSubnet("172.16.0.0", 12);
PRIVATE.addSubnet("192.168.0.0", 16);
PRIVATE.addSubnet("169.254.0.0", 16);
PRIVATE.addAddress("::1", "ipv6");
PRIVATE.addSubnet("fc00::", 7, "ipv6");
PRIVATE.addSubnet("fe80::", 10, "ipv6");

/**
 * Whether a URL's host is this machine or the LAN: a loopback or private address, `localhost`, a name
 * without a dot (`gpu-box`), or one under a local suffix (`.local`, `.lan`, `.internal`, `.home.arpa`).
 */
export function isPrivateHost(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const version = isIP(host);
  if (version) return PRIVATE.check(host, version === 6 ? "ipv6" : "ipv4");
  return host === "localhost" || !host.includes(".") || /\.(local|lan|internal|home\.arpa|localhost)$/.test(host);
}
