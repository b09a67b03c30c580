import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { excludeCidr } from 'cidr-tools';

/**
 * Load, fault and chaos traffic goes to loopback only. Anything else is
 * refused unless the user named that exact host with `--allow-remote HOST`.
 * Loopback is an address (127.0.0.0/8, ::1, ::ffff:127.x.y.z) or the name
 * `localhost` itself: any other name (`evil.localhost` included) would go
 * to the system resolver, which may answer with any address.
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** Throws a one-line error unless `url`'s host is loopback or listed in `allowRemote`. `what` names the setting. */
export function assertAllowedUrl(url: string, what: string, allowRemote: readonly string[] = []): void {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new Error(`${what}: "${url}" is not a URL`);
  }
  if (isLoopback(host) || allowRemote.includes(host) || allowRemote.includes(host.replace(/^\[|\]$/g, ''))) return;
  throw new Error(
    `${what}: refusing to send traffic to ${host}: patternbench only targets loopback (127.0.0.1, localhost, ::1) unless you pass --allow-remote ${host}`,
  );
}

/** The loopback ranges: the only addresses k6 may dial unless the user allows more. */
const loopbackRanges = ['127.0.0.0/8', '::1/128'];

/** What k6 is told so that it enforces the loopback rule itself (its `blacklistIPs` and `blockHostnames` options). */
export interface K6NetworkRule {
  /** Every IPv4 and IPv6 range but loopback and the allowed hosts' addresses, as CIDRs. */
  blacklistIPs: string[];
  /** `['*']` (k6 resolves no name at all) unless a name was allowed. */
  blockHostnames: string[];
}

/**
 * The rule k6 enforces on every connection a script opens, so that a
 * script cannot get around the loopback rule: it may dial loopback
 * addresses and the addresses of the `allowRemote` hosts, nothing else, and
 * it resolves no name (a lookup would itself be traffic to the resolver's
 * server). k6 checks blocked names before its own `hosts` table, so a name
 * cannot be exempted from a `*` block: when the user allows a host by name,
 * its addresses are looked up here (the user named it) and k6 may then
 * resolve names, still dialling only the allowed addresses. Throws when an
 * allowed name does not resolve.
 */
export async function k6NetworkRule(allowRemote: readonly string[] = []): Promise<K6NetworkRule> {
  const hosts = allowRemote.map((h) => h.replace(/^\[|\]$/g, ''));
  const names = hosts.filter((h) => isIP(h) === 0);
  const addresses = hosts.filter((h) => isIP(h) !== 0);
  for (const name of names) {
    const found = await lookup(name, { all: true }).catch((err: Error) => {
      throw new Error(`--allow-remote ${name}: cannot resolve it: ${err.message}`);
    });
    addresses.push(...found.map((a) => a.address));
  }
  // k6 parses each with Go's net.ParseCIDR, which wants a prefix even on a single address.
  const blocked = excludeCidr(['0.0.0.0/0', '::/0'], [...loopbackRanges, ...addresses]).map((net) =>
    net.includes('/') ? net : `${net}/${isIP(net) === 4 ? 32 : 128}`,
  );
  return {
    blacklistIPs: blocked,
    blockHostnames: names.length > 0 ? [] : ['*'],
  };
}
