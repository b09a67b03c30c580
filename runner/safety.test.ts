import { describe, expect, it } from 'vitest';
import { assertAllowedUrl, isLoopback } from './safety.ts';

describe('loopback safety', () => {
  it('accepts loopback hosts only', () => {
    for (const h of ['127.0.0.1', '127.3.2.1', 'localhost', '::1', '[::1]']) expect(isLoopback(h)).toBe(true);
    for (const h of ['10.0.0.1', '192.168.1.2', '8.8.8.8', 'example.com', '::2', '128.0.0.1']) expect(isLoopback(h)).toBe(false);
  });

  it('refuses a remote URL with a hint, unless that host is allowed explicitly', () => {
    expect(() => assertAllowedUrl('http://10.1.2.3:8080', 'target')).toThrow(/target: refusing .*10\.1\.2\.3.*--allow-remote 10\.1\.2\.3/);
    expect(() => assertAllowedUrl('http://10.1.2.3:8080', 'target', ['10.1.2.3'])).not.toThrow();
    expect(() => assertAllowedUrl('http://127.0.0.1:1', 'target')).not.toThrow();
    expect(() => assertAllowedUrl('nonsense', 'target')).toThrow(/not a URL/);
  });
});
