import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/**
 * Where webhook requests may go. http and https only; with private addresses refused
 * (`WEBHOOK_ALLOW_PRIVATE_URLS=false`, the production default) an endpoint may not name or
 * resolve to loopback, private, link-local, carrier-grade NAT, unique-local or multicast
 * addresses, so an ADMIN token cannot be used to probe the servers' own network. The check
 * runs when the endpoint is saved and again before every attempt (DNS can change).
 */
const privateRanges = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  privateRanges.addSubnet(network, prefix, "ipv4");
}
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are checked against the IPv4 ranges by BlockList itself.
for (const [network, prefix] of [
  ["::", 127],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  privateRanges.addSubnet(network, prefix, "ipv6");
}

const DNS_DEADLINE_MS = 3_000;

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return privateRanges.check(address, family === 4 ? "ipv4" : "ipv6");
}

export class UrlRefused extends Error {}

/** The URL as parsed, or UrlRefused with a message fit for the client. Does not touch the network. */
export function parseEndpointUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UrlRefused("must be an absolute http or https URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UrlRefused("must use http or https");
  if (!url.hostname) throw new UrlRefused("must name a host");
  return url;
}

function hostOf(url: URL): string {
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
}

async function resolveAll(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UrlRefused(`host "${host}" did not resolve within ${DNS_DEADLINE_MS} ms`)), DNS_DEADLINE_MS);
  });
  try {
    const found = await Promise.race([lookup(host, { all: true, verbatim: true }), deadline]);
    return found.map((entry) => entry.address);
  } catch (error) {
    if (error instanceof UrlRefused) throw error;
    throw new UrlRefused(`host "${host}" does not resolve`);
  } finally {
    clearTimeout(timer);
  }
}

/** Refuses a URL whose host is, or resolves to, a private address; a no-op when those are allowed. */
export async function assertPublicHost(url: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = hostOf(url).toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) throw new UrlRefused("must not point at this machine");
  const addresses = isIP(host) ? [host] : await resolveAll(host);
  if (addresses.some(isPrivateAddress)) throw new UrlRefused("must not point at a private, loopback or link-local address");
}
