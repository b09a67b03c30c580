import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 the kernel had free a moment ago (bind to port 0,
 * read it, close). Another process may take it before we bind it again; the
 * kernel hands out ephemeral ports in sequence, which makes that rare.
 * Throws only if binding 127.0.0.1 itself fails.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether `port` on 127.0.0.1 can be bound right now (nothing holds it). Never throws. */
export async function isPortFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
