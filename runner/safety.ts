import { isIP } from 'node:net';

/**
 * Load, fault and chaos traffic goes to loopback only. Anything else is
 * refused unless the user named that exact host with `--allow-remote HOST`.
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
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
  if (isLoopback(host) || allowRemote.includes(host)) return;
  throw new Error(
    `${what}: refusing to send traffic to ${host}: patternbench only targets loopback (127.0.0.1, localhost, ::1) unless you pass --allow-remote ${host}`,
  );
}
