import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where we look for ports: below the kernel's ephemeral range, whose ports also go to outgoing connections. */
const LOWEST = 10_000;
const TRIES = 64;

/**
 * A TCP port on 127.0.0.1 that nothing holds right now, for a component to
 * listen on. Chosen at random below the kernel's ephemeral port range: a
 * port from that range (what binding port 0 gives) can be handed to any
 * process's next outgoing connection between our check and the component's
 * bind — a 3-member etcd failed CI that way while other tests made
 * connections. Another listener may still take it first; that is rare.
 * Falls back to a kernel-chosen port where the range leaves no room below.
 * Throws only if binding 127.0.0.1 itself fails.
 */
export async function freePort(): Promise<number> {
  const highest = ephemeralLow() - 1;
  if (highest - LOWEST >= 1000) {
    for (let i = 0; i < TRIES; i++) {
      const port = LOWEST + Math.floor(Math.random() * (highest - LOWEST + 1));
      if (await isPortFree(port)) return port;
    }
  }
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The first port of the kernel's ephemeral range (Linux's default 32768 where it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Whether `port` on 127.0.0.1 can be bound right now (nothing holds it). Never throws. */
export async function isPortFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
