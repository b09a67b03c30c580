import { BlockList, isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { assertAllowedUrl, isLoopback, k6NetworkRule } from './safety.ts';

describe('loopback safety', () => {
  it('accepts loopback addresses and the name localhost only', () => {
    for (const h of ['127.0.0.1', '127.3.2.1', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['10.0.0.1', '192.168.1.2', '8.8.8.8', 'example.com', '::2', '128.0.0.1', 'evil.localhost', 'localhost.evil.com', '::ffff:10.0.0.1'])
      expect(isLoopback(h), h).toBe(false);
  });

  it('refuses a remote URL with a hint, unless that host is allowed explicitly', () => {
    expect(() => assertAllowedUrl('http://10.1.2.3:8080', 'target')).toThrow(/target: refusing .*10\.1\.2\.3.*--allow-remote 10\.1\.2\.3/);
    expect(() => assertAllowedUrl('http://10.1.2.3:8080', 'target', ['10.1.2.3'])).not.toThrow();
    expect(() => assertAllowedUrl('http://[2001:db8::1]:80', 'target', ['2001:db8::1'])).not.toThrow();
    expect(() => assertAllowedUrl('http://evil.localhost:80', 'target')).toThrow(/refusing to send traffic to evil\.localhost/);
    expect(() => assertAllowedUrl('http://127.0.0.1:1', 'target')).not.toThrow();
    expect(() => assertAllowedUrl('nonsense', 'target')).toThrow(/not a URL/);
  });
});

describe("k6's network rule", () => {
  /** The rule's blacklist as a lookup table. As Go's `IPNet.Contains`, an IPv4 address is held against IPv4 ranges only. */
  const blocked = (nets: string[]) => {
    const lists = { ipv4: new BlockList(), ipv6: new BlockList() };
    for (const net of nets) {
      const [address, prefix] = net.split('/');
      expect(prefix, net).toBeDefined(); // k6 parses each with net.ParseCIDR, which wants a prefix
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      lists[family].addSubnet(address, Number(prefix), family);
    }
    return (address: string) => {
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      return lists[family].check(address, family);
    };
  };

  it('blocks every address but loopback, and every name', async () => {
    const rule = await k6NetworkRule();
    const isBlocked = blocked(rule.blacklistIPs);
    for (const a of ['127.0.0.1', '127.255.255.254', '::1']) expect(isBlocked(a), a).toBe(false);
    for (const a of ['0.0.0.0', '10.0.0.1', '126.255.255.255', '128.0.0.0', '169.254.169.254', '255.255.255.255', '::', '::2', '2001:db8::1', 'fe80::1'])
      expect(isBlocked(a), a).toBe(true);
    expect(rule.blockHostnames).toEqual(['*']);
  });

  it('lets through the addresses of the allowed hosts, and only those', async () => {
    const rule = await k6NetworkRule(['10.0.0.1', '[2001:db8::1]']);
    const isBlocked = blocked(rule.blacklistIPs);
    for (const a of ['10.0.0.1', '2001:db8::1', '127.0.0.1']) expect(isBlocked(a), a).toBe(false);
    for (const a of ['10.0.0.0', '10.0.0.2', '2001:db8::2']) expect(isBlocked(a), a).toBe(true);
    expect(rule.blockHostnames).toEqual(['*']);
  });

  it('resolves a host allowed by name itself, and then lets k6 resolve names', async () => {
    const rule = await k6NetworkRule(['localhost']);
    expect(rule.blockHostnames).toEqual([]);
    expect(blocked(rule.blacklistIPs)('10.0.0.1')).toBe(true);
    await expect(k6NetworkRule(['no-such-host.invalid'])).rejects.toThrow(/--allow-remote no-such-host\.invalid: cannot resolve it/);
  });
});
