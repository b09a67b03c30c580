import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { LocalProcess } from './local-process.ts';
import { ProcessComponent } from './process-component.ts';
import { toolPath } from './tools.ts';

/** A running toxiproxy-server; `apiUrl` is its HTTP API (`http://127.0.0.1:PORT`). */
export class ToxiproxyServer extends ProcessComponent {
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

/**
 * Starts `toxiproxy-server` on a free 127.0.0.1 port, logging to
 * `${runDir}/logs/<name>.log`; resolves once `GET /version` answers. Throws
 * when the binary is not built or it is not ready within 10 s.
 */
export async function startToxiproxyServer(opts: { runDir: string; name?: string }): Promise<ToxiproxyServer> {
  const name = opts.name ?? 'toxiproxy';
  const port = await freePort();
  const proc = new LocalProcess({
    name,
    command: toolPath('toxiproxy-server'),
    args: ['-host', '127.0.0.1', '-port', String(port)],
    logFile: join(opts.runDir, 'logs', `${name}.log`),
    ready: async () => (await fetch(`http://127.0.0.1:${port}/version`, { signal: AbortSignal.timeout(1_000) })).ok,
    readyTimeoutMs: 10_000,
    stopGraceMs: 2_000,
  });
  await proc.start();
  return new ToxiproxyServer({ name, kind: 'toxiproxy', port, proc });
}
